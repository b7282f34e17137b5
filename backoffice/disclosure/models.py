"""Record types of 财务公开 (Financial disclosure)."""

from django.db import models  # noqa: F401
