"""Import tests: django-q2 runs tasks inline (sync), workbooks are built in the tests."""

from __future__ import annotations

import io

import openpyxl
import pytest


@pytest.fixture(autouse=True)
def q_sync(settings, monkeypatch, tmp_path):
    from django_q.conf import Conf

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(rows: list[list], *, title_rows: list[list] | None = None, sheet_name: str = "Sheet1") -> bytes:
    """An xlsx made by openpyxl: optional title rows, then the header and data rows as given."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_name
    for row in [*(title_rows or []), *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
