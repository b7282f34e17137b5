"""Admin of 债权债务: generated from each record type's spec."""
