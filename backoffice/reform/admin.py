"""Admin of 产权制度改革成果: generated from each record type's spec."""
