"""重点工作 (Key tasks): monitoring module."""
