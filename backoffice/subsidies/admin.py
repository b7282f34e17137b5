"""Admin of 惠农政策落实: generated from each record type's spec."""
