"""Admin of 一事一议筹资筹劳: generated from each record type's spec."""
