"""惠农政策落实 (Implementation of farmer-benefit policies): monitoring module."""
