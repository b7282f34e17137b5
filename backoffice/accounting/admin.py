"""Admin of 会计核算成果: generated from each record type's spec."""
