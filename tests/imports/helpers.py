"""Helpers for the import tests: exports as workbooks, jobs run inline, valid personal-data numbers."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from imports import engine
from imports.cli import write_export
from imports.models import ImportJob

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int, region: str = "140121", birth: str = "19800101") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


def export_book(model, user, tmp_path: Path, name: str = "export.xlsx") -> bytes:
    path = tmp_path / name
    write_export(model, user, path)
    return path.read_bytes()


def sheet_rows(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def book_of(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_job(user, model, data: bytes, name: str = "data.xlsx", policy=ImportJob.Policy.ALL_OR_NOTHING):
    job = engine.create_job(user=user, model=model, name=name, content=data, policy=policy)
    job.refresh_from_db()
    return job


def errors_of(job) -> dict[int, dict]:
    return dict(job.rows.filter(action="invalid").values_list("row_number", "errors"))
