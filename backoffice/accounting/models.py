"""Record types of 会计核算成果 (Accounting results)."""

from django.db import models  # noqa: F401
