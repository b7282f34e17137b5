"""会计核算成果 (Accounting results): monitoring module."""
