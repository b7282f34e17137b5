"""Record types of 产权制度改革成果 (Results of the collective property-rights reform)."""

from django.db import models  # noqa: F401
