"""Export then re-import changes nothing, for every registered record type (generic over the registry)."""

from __future__ import annotations

import pytest
from django.contrib import admin

from backoffice.core.pii import sensitive_fields
from backoffice.core.scope import is_scoped_model
from imports.models import ExportLog, ImportJob

from .helpers import errors_of, export_book, run_job

TYPES = sorted(
    (m for m in admin.site._registry if is_scoped_model(m) and hasattr(m, "Spec")),
    key=lambda m: m._meta.label,
)
pytestmark = pytest.mark.django_db


def _assert_nothing_changes(job, model, visible):
    assert job.status == ImportJob.Status.VALIDATED, job.error_text
    first = list(errors_of(job).items())[:3]
    changed = list(job.rows.filter(action="update").values_list("row_number", "diff")[:3])
    assert (job.new_count, job.updated_count, job.invalid_count) == (0, 0, 0), (first, changed)
    assert job.unchanged_count == visible


@pytest.mark.parametrize("model", TYPES, ids=lambda m: m._meta.label)
def test_export_then_import_changes_nothing(model, users, tmp_path):
    user = users["admin"]
    count = model._default_manager.count()
    if not count:
        pytest.skip("no demo rows")
    data = export_book(model, user, tmp_path)
    assert ExportLog.objects.filter(
        model_label=model._meta.label, row_count=count, channel="command"
    ).exists()
    _assert_nothing_changes(run_job(user, model, data), model, count)


MASKED = [m for m in TYPES if sensitive_fields(m) and m._meta.label != "regions.Region"]


@pytest.mark.parametrize("model", MASKED, ids=lambda m: m._meta.label)
def test_masked_export_reimports_unchanged(model, users, tmp_path):
    """A user without core.reveal_sensitive gets masked personal data; re-importing it changes nothing."""
    user = users["village_bookkeeper"]
    assert not user.has_perm("core.reveal_sensitive")
    visible = model._default_manager.visible_to(user).count()
    if not visible or not user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
        pytest.skip("no rows or no add permission for the bookkeeper")
    data = export_book(model, user, tmp_path)
    log = ExportLog.objects.filter(model_label=model._meta.label, user=user).latest("at")
    assert log.full_personal_data is False
    _assert_nothing_changes(run_job(user, model, data), model, visible)
