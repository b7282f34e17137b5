"""Record types of 承包（租赁）合同 (Contracting and leasing contracts)."""

from django.db import models  # noqa: F401
