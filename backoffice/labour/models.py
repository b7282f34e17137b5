"""Record types of 集体用工 (Collective labour)."""

from django.db import models  # noqa: F401
