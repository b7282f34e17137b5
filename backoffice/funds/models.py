"""Record types of 资金监测 (Fund monitoring)."""

from django.db import models  # noqa: F401
