"""Jobs of the core: the worker heartbeat that shows the scheduler is alive."""

from __future__ import annotations

from django.utils import timezone


def heartbeat() -> str:
    """A scheduled no-op whose django-q2 success row proves a worker and the scheduler are running
    (the dashboard shows the time of the newest one)."""
    return timezone.now().isoformat()
