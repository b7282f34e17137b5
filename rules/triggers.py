"""Evaluation on save and on import: after the transaction commits, one django-q2 task per subject type
and batch evaluates the changed records through the per-record evaluator (DESIGN.md §4).

- ``post_save`` of a subject of an ``on_save`` rule queues the record;
- imports call ``records_changed(model, pks, trigger="on_import")`` for the rows of a committed batch
  (``bulk_create`` sends no signal).

Nothing is queued for a transaction that rolls back (``transaction.on_commit``); several saves in one
transaction give one task. Evaluation reads the committed state, so a stale or repeated key is harmless.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from .schema import shipped_rules

_pending = threading.local()


def dispatch(func: str, *args) -> None:
    """Queue a task (replaced in tests to run inline)."""
    from django_q.tasks import async_task

    async_task(func, *args)


def subjects_with(trigger: str) -> set[str]:
    return {rule.subject for rule in shipped_rules().values() if trigger in rule.triggers}


def records_changed(model, pks, *, trigger: str = "on_import") -> None:
    """Queue evaluation of these records after the current transaction commits (coalesced)."""
    label = model._meta.label
    if label not in subjects_with(trigger):
        return
    batch = getattr(_pending, "batch", None)
    if batch is None:
        batch = _pending.batch = defaultdict(set)
    batch[(label, trigger)].update(str(pk) for pk in pks)
    # registered on every call: the first callback after a commit drains the batch, the rest find it
    # empty; keys left by a rolled-back transaction ride along harmlessly (gone rows are skipped,
    # unchanged rows re-evaluate to the same outcome)
    transaction.on_commit(_flush)


def _flush() -> None:
    batch = getattr(_pending, "batch", None) or {}
    _pending.batch = defaultdict(set)
    for (label, trigger), pks in sorted(batch.items()):
        dispatch("rules.tasks.evaluate_records", label, sorted(pks), trigger)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    records_changed(sender, [instance.pk], trigger="on_save")


def connect() -> None:
    for label in subjects_with("on_save"):
        post_save.connect(_on_save, sender=apps.get_model(label), dispatch_uid=f"rules_on_save_{label}")
