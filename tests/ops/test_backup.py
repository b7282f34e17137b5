"""Backup → restore gives back the same database (row counts and checksums of every table) and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from backoffice.core.backup import table_checksums
from backoffice.regions.models import CollectiveOrg

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_then_restore_into_a_changed_database_is_identical(tmp_path, capsys):
    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "evidence.txt").write_text("公开栏照片", encoding="utf-8")
    before = table_checksums()
    call_command("backup", "--out", str(tmp_path))
    archive = Path(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["backup"])

    CollectiveOrg.objects.filter(org_level="N2").update(legal_rep_name="被篡改")
    from backoffice.accounts.models import User

    User.objects.filter(username="auditor").delete()
    (media / "evidence.txt").unlink()
    assert table_checksums() != before

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--yes")
    assert table_checksums() == before
    assert (media / "evidence.txt").read_text(encoding="utf-8") == "公开栏照片"
    assert not CollectiveOrg.objects.filter(legal_rep_name="被篡改").exists()
    assert User.objects.filter(username="auditor").exists()
