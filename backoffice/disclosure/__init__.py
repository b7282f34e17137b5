"""财务公开 (Financial disclosure): monitoring module."""
