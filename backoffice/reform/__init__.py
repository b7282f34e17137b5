"""产权制度改革成果 (Results of the collective property-rights reform): monitoring module."""
