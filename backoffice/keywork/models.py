"""Record types of 重点工作 (Key tasks)."""

from django.db import models  # noqa: F401
