"""Record types of 资源性资产 (Resource assets and fixed-asset register)."""

from django.db import models  # noqa: F401
