"""A django-q2 worker killed in the middle of an import commit leaves no partial batch (issue #8 item 6):
a real ``qcluster`` process commits a staged import in small batches and is SIGKILLed after the first
batch; every row it wrote is recorded on the job (so nothing is orphaned and the batch stays undoable),
the stalled commit is then taken over and finishes with every row exactly once, and rollback undoes all."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from tests.imports.helpers import book_of
from tests.imports.test_jobs import contract_rows
from tests.ops.qcluster import kill_cluster, start_qcluster

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 3000


@pytest.fixture
def staged_job(settings, tmp_path, monkeypatch):
    """A validated (not yet committed) valid-rows import of ROWS new contracts."""
    from django_q.conf import Conf

    from backoffice.accounts.models import User
    from backoffice.contracts.models import Contract
    from backoffice.regions.models import CollectiveOrg
    from imports import engine
    from imports.models import ImportJob

    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.get(username="village_bookkeeper")
    org = CollectiveOrg.objects.get(region_id=user.scope_region_id)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    monkeypatch.setattr(Conf, "SYNC", True)
    job = engine.create_job(
        user=user,
        model=Contract,
        name="kill.xlsx",
        content=book_of(contract_rows(org, ROWS)),
        policy=ImportJob.Policy.VALID_ROWS,
    )
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and job.new_count == ROWS, job.error_text
    return job


def _imported():
    from backoffice.contracts.models import Contract

    return Contract.objects.filter(contract_no__startswith="IMP-2024-")


def test_killed_worker_leaves_no_partial_batch_and_the_commit_resumes(staged_job, settings, tmp_path):
    from imports import engine
    from imports.models import ImportJob
    from imports.tasks import resume_stalled_commits

    engine.enqueue("commit_job", staged_job.pk)
    log = tmp_path / "qcluster.log"
    worker = start_qcluster(settings, log, IMPORT_COMMIT_CHUNK="25")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            state = ImportJob.objects.filter(pk=staged_job.pk).values_list("commit_state", flat=True).first()
            if state and state.get("through", 0) > 0:
                break
            time.sleep(0.02)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
    finally:
        kill_cluster(worker)  # the whole cluster, mid-commit: no clean shutdown

    job = ImportJob.objects.get(pk=staged_job.pk)
    assert job.status == ImportJob.Status.COMMITTING, "the worker finished before it could be killed"
    written = set(_imported().values_list("pk", flat=True))
    recorded = {pk for low, high in job.commit_state["created"] for pk in range(low, high + 1)}
    assert 0 < len(written) < ROWS
    assert written == recorded, "every row in the database is recorded on the job; nothing is orphaned"

    settings.IMPORT_STALE_SECONDS = 0  # the heartbeat of the killed worker is stale at once
    assert resume_stalled_commits() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert not job.error_text, job.error_text
    assert job.new_count == ROWS
    assert _imported().count() == ROWS
    assert _imported().values("contract_no").distinct().count() == ROWS
    assert job.events.filter(message__contains="继续导入").exists()

    assert engine.rollback_job(job.pk) == ImportJob.Status.ROLLED_BACK
    assert not _imported().exists()


def test_a_live_commit_is_not_taken_over(staged_job, settings):
    """A committing job with a fresh heartbeat belongs to its worker: the sweep leaves it alone."""
    from django.utils import timezone

    from imports.models import ImportJob
    from imports.tasks import resume_stalled_commits

    ImportJob.objects.filter(pk=staged_job.pk).update(
        status=ImportJob.Status.COMMITTING, heartbeat_at=timezone.now()
    )
    settings.IMPORT_STALE_SECONDS = 600
    assert resume_stalled_commits() == []
    assert ImportJob.objects.get(pk=staged_job.pk).status == ImportJob.Status.COMMITTING
    assert not _imported().exists()
