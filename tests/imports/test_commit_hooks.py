"""What a committed import owes the rest of the system (issue 4 item 3): the real-time rules are queued once
per committed batch and never for a rolled-back one; an approved record changed by an import goes back to
draft like an edit in the admin (and a batch rollback restores the approval); old upload files are purged
by the retention job while the job rows stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from imports import engine
from imports.models import ImportJob
from imports.schedules import SCHEDULES
from imports.tasks import purge_old_uploads

from .helpers import book_of, errors_of, run_job
from .test_jobs import contract_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract_model():
    from backoffice.contracts.models import Contract

    return Contract


@pytest.fixture
def village_org(users):
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.get(region_id=users["village_bookkeeper"].scope_region_id)


@pytest.fixture
def dispatched(monkeypatch):
    """Contracts made an on-import subject for the test; dispatches recorded instead of queued."""
    from rules import triggers

    calls = []
    triggers._pending.batch = None  # keys of earlier tests' never-committed transactions
    original = triggers.subjects_with
    monkeypatch.setattr(
        triggers,
        "subjects_with",
        lambda trigger: original(trigger) | ({"contracts.Contract"} if trigger == "on_import" else set()),
    )
    monkeypatch.setattr(triggers, "dispatch", lambda func, *args: calls.append((func, args)))
    yield calls
    triggers._pending.batch = None


def contract_calls(calls):
    return [args for _func, args in calls if args[0] == "contracts.Contract"]


def test_commit_queues_rules_once_after_commit(
    users, village_org, contract_model, dispatched, django_capture_on_commit_callbacks
):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 3)))
    assert job.new_count == 3, errors_of(job)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert engine.commit_job(job.pk) == "committed"
        assert contract_calls(dispatched) == []  # nothing before the transaction commits
    assert callbacks
    calls = contract_calls(dispatched)
    assert len(calls) == 1
    _label, pks, trigger = calls[0]
    created = contract_model.objects.filter(contract_no__startswith="IMP-2024-").values_list("pk", flat=True)
    assert trigger == "on_import" and sorted(int(p) for p in pks) == sorted(created)


def test_valid_rows_policy_one_call_per_chunk(
    users, village_org, contract_model, dispatched, django_capture_on_commit_callbacks
):
    rows = contract_rows(village_org, 3)
    rows[2][3] = "租赁"  # one invalid row: skipped under valid_rows
    job = run_job(
        users["village_bookkeeper"], contract_model, book_of(rows), policy=ImportJob.Policy.VALID_ROWS
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.commit_job(job.pk) == "committed"
    calls = contract_calls(dispatched)
    assert len(calls) == 1 and len(calls[0][1]) == 2


def test_rolled_back_commit_raises_no_alert(
    users, village_org, contract_model, dispatched, django_capture_on_commit_callbacks
):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 3)))
    assert job.new_count == 3
    # someone stores the third contract meanwhile: the database refuses the batch, all or nothing
    clash = contract_model.objects.filter(org=village_org).first()
    clash.pk = None
    clash.contract_no = "IMP-2024-0003"
    clash.source_id = ""
    clash.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.commit_job(job.pk) == "failed"
    assert contract_model.objects.filter(contract_no__in=["IMP-2024-0001", "IMP-2024-0002"]).count() == 0
    assert contract_calls(dispatched) == []


def _approved_import(users, village_org, contract_model, importer):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 2)))
    engine.commit_job(job.pk)
    reviewer = users["township_reviewer"]
    approved_at = timezone.now() - dt.timedelta(days=3)
    contract_model.objects.filter(contract_no__startswith="IMP-2024-").update(
        review_status=ReviewStatus.APPROVED, reviewed_by=reviewer, reviewed_at=approved_at
    )
    rows = contract_rows(village_org, 2)
    rows[1][10] = 9999  # first contract's total amount changed, the second unchanged
    job = run_job(importer, contract_model, book_of(rows))
    assert (job.updated_count, job.unchanged_count) == (1, 1), errors_of(job)
    assert engine.commit_job(job.pk) == "committed"
    return job, reviewer, approved_at


def test_import_update_sends_approved_record_back_to_draft(users, village_org, contract_model):
    job, reviewer, approved_at = _approved_import(
        users, village_org, contract_model, users["village_bookkeeper"]
    )
    changed = contract_model.objects.get(contract_no="IMP-2024-0001")
    untouched = contract_model.objects.get(contract_no="IMP-2024-0002")
    assert (changed.review_status, changed.reviewed_by_id, changed.reviewed_at) == (
        ReviewStatus.DRAFT,
        None,
        None,
    )
    assert untouched.review_status == ReviewStatus.APPROVED
    assert "已退回为草稿" in job.events.latest("pk").message
    # undoing the batch restores the amount and the approval
    assert engine.rollback_job(job.pk) == "rolled_back"
    changed.refresh_from_db()
    assert changed.review_status == ReviewStatus.APPROVED and changed.reviewed_by_id == reviewer.pk
    assert changed.reviewed_at == approved_at and changed.total_amount == 5001


def test_import_update_by_a_reviewer_keeps_approval(users, village_org, contract_model):
    _approved_import(users, village_org, contract_model, users["admin"])
    changed = contract_model.objects.get(contract_no="IMP-2024-0001")
    assert changed.total_amount == 9999 and changed.review_status == ReviewStatus.APPROVED


def test_retention_purges_old_upload_files_keeps_jobs(users, village_org, contract_model, settings):
    old = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1)))
    engine.commit_job(old.pk)
    recent = run_job(
        users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1, start=5))
    )
    engine.commit_job(recent.pk)
    waiting = run_job(
        users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1, start=9))
    )
    long_ago = timezone.now() - dt.timedelta(days=91)
    ImportJob.objects.filter(pk__in=[old.pk, waiting.pk]).update(finished_at=long_ago, created_at=long_ago)
    old.refresh_from_db()
    old_name = old.file.name
    assert default_storage.exists(old_name)
    assert purge_old_uploads() == {"import_jobs": 1, "bank_feed_jobs": 0, "days": 90}
    old.refresh_from_db()
    assert old.file.name == "" and not default_storage.exists(old_name)
    assert old.status == "committed" and old.new_count == 1 and old.events.exists()
    for job in (recent, waiting):  # too young, or still waiting for confirmation
        job.refresh_from_db()
        assert job.file.name and default_storage.exists(job.file.name)
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 0
    assert purge_old_uploads()["import_jobs"] == 1  # the recent committed one


def test_retention_job_is_scheduled():
    spec = next(s for s in SCHEDULES if s.name == "imports.purge_uploads")
    assert spec.func == "imports.tasks.purge_old_uploads"
    from importlib import import_module

    module, _, name = spec.func.rpartition(".")
    assert callable(getattr(import_module(module), name))


def test_error_workbook_of_a_purged_job_explains(users, village_org, contract_model, client_for):
    rows = contract_rows(village_org, 1)
    rows[1][3] = "租赁"
    job = run_job(users["village_bookkeeper"], contract_model, book_of(rows))
    ImportJob.objects.filter(pk=job.pk).update(file="")
    from django.urls import reverse

    response = client_for("village_bookkeeper").get(
        reverse("admin:imports_importjob_errors", args=[job.pk]), follow=True
    )
    assert "已超过保留期限被删除" in response.content.decode()
