"""Record types of 惠农政策落实 (Implementation of farmer-benefit policies)."""

from django.db import models  # noqa: F401
