"""集体用工 (Collective labour): monitoring module."""
