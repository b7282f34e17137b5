"""The error every rules service raises for bad input (a ``ValidationError``: forms show it as is)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class AlertError(ValidationError):
    pass
