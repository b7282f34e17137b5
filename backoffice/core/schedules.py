"""Job schedules: each app may declare ``SCHEDULES`` in its ``schedules`` module; ``setup_schedules``
registers them all in django-q2, idempotently (by name)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    cron: str
    #: Chinese description shown in the admin
    label: str = ""


SCHEDULES = [
    ScheduleSpec(
        name="core.heartbeat",
        func="backoffice.core.tasks.heartbeat",
        cron="*/5 * * * *",
        label="任务调度心跳",
    ),
]


def all_schedules() -> list[ScheduleSpec]:
    found: list[ScheduleSpec] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.schedules")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedules":
                raise
            continue
        found.extend(getattr(module, "SCHEDULES", []))
    return found


def setup_schedules() -> list[tuple[str, str]]:
    """Create or update one django-q2 cron schedule per ScheduleSpec.

    Returns (name, "created" | "updated" | "unchanged") pairs."""
    from django_q.models import Schedule

    results = []
    for spec in all_schedules():
        existing = Schedule.objects.filter(name=spec.name).first()
        if existing is None:
            Schedule.objects.create(
                name=spec.name, func=spec.func, schedule_type=Schedule.CRON, cron=spec.cron
            )
            results.append((spec.name, "created"))
        elif (
            existing.func != spec.func
            or existing.cron != spec.cron
            or existing.schedule_type != Schedule.CRON
        ):
            existing.func, existing.cron, existing.schedule_type = spec.func, spec.cron, Schedule.CRON
            existing.save()
            results.append((spec.name, "updated"))
        else:
            results.append((spec.name, "unchanged"))
    return results
