"""Admin of 重点工作: generated from each record type's spec."""
