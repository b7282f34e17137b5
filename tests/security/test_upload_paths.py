"""Every way a file gets in passes the upload gate (backoffice/core/uploads.py): the import upload, the
bank statement upload and the trading attachment in the admin answer a hostile file with the form's
Chinese error and create no job; the command-line import refuses it with exit code 1."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    return buf.getvalue()


def _entities() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet>&a;</worksheet>',
        )
    return buf.getvalue()


def test_import_upload_refuses_a_zip_bomb(client_for):
    from imports.models import ImportJob

    client = client_for("village_bookkeeper")
    response = client.post(
        "/admin/imports/importjob/upload/",
        {
            "record_type": "contracts.contract",
            "policy": "all_or_nothing",
            "file": SimpleUploadedFile("合同.xlsx", _bomb()),
        },
    )
    assert response.status_code == 200
    assert "压缩炸弹" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_bank_feed_upload_refuses_a_renamed_file(client_for):
    from imports.bankfeed.models import BankFeedJob

    client = client_for("village_bookkeeper")
    response = client.post(
        "/admin/imports/bankfeedjob/add/",
        {"format": "", "file": SimpleUploadedFile("流水.xlsx", b"MZ\x90\x00" + b"\0" * 64)},
    )
    assert response.status_code == 200
    assert "与扩展名 .xlsx 不符" in response.content.decode()
    assert not BankFeedJob.objects.exists()


def test_command_line_import_refuses_xml_entities(tmp_path, capsys):
    path = tmp_path / "entities.xlsx"
    path.write_bytes(_entities())
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_records", "contracts.contract", str(path), "--dry-run", "--user", "village_bookkeeper"
        )
    assert exit_info.value.code == 1
    out = capsys.readouterr()
    assert "DTD/实体声明" in out.out + out.err
