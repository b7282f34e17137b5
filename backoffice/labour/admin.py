"""Admin of 集体用工: generated from each record type's spec."""
