"""资金监测 (Fund monitoring): monitoring module."""
