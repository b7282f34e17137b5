"""Admin of 财务公开: generated from each record type's spec."""
