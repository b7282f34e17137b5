"""Record types of 债权债务 (Credits and debts)."""

from django.db import models  # noqa: F401
