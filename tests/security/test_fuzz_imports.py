"""Property: any cell values in a contracts workbook give a dry run with per-cell Chinese messages (or a
clean job failure), never a crash and never a write; committing with the valid-rows policy writes exactly
the rows the preview called valid."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports import engine
from imports.models import ImportJob

from .conftest import HOSTILE_TEXT

pytestmark = pytest.mark.django_db(transaction=False)

HEADER = ["集体经济组织", "合同编号", "合同名称", "合同类型", "乙方名称", "乙方类型", "数量", "计量单位",
          "单价", "合同总金额", "付款方式", "起始日期", "终止日期", "签订日期", "合同状态"]  # fmt: skip
CELL = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.none(),
)


def _book(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _valid_row(org, n: int) -> list:
    return [org.credit_code, f"FUZZ-{n:05d}", f"合同{n}", "出租", f"乙方{n}", "个人", 10, "亩", 500,
            5000, "按年", "2024-03-01", "2029-02-28", "2024-02-20", "履行中"]  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_cells_give_messages_never_crash_never_partial_write(users, data):
    from backoffice.contracts.models import Contract
    from backoffice.regions.models import CollectiveOrg

    user = users["village_bookkeeper"]
    org = CollectiveOrg.objects.get(region_id=user.scope_region_id)
    rows = []
    for n in range(data.draw(st.integers(min_value=1, max_value=4))):
        row = _valid_row(org, n)
        for column in data.draw(st.sets(st.integers(min_value=0, max_value=len(HEADER) - 1), max_size=4)):
            value = data.draw(CELL)
            # openpyxl refuses control characters outright; the file could not exist, so skip them
            if isinstance(value, str):
                value = "".join(ch for ch in value if ch >= " " or ch in "\t")
            row[column] = value
        rows.append(row)
    before = Contract.objects.count()
    job = engine.create_job(
        user=user, model=Contract, name="fuzz.xlsx", content=_book(rows), policy=ImportJob.Policy.VALID_ROWS
    )
    job.refresh_from_db()
    assert Contract.objects.count() == before, "a dry run must not write"
    assert job.status in {ImportJob.Status.VALIDATED, ImportJob.Status.FAILED}
    if job.status == ImportJob.Status.FAILED:
        assert job.error_text and any("\u4e00" <= ch <= "\u9fff" for ch in job.error_text)
        return
    for errors in job.rows.filter(action="invalid").values_list("errors", flat=True):
        assert errors, "an invalid row must say why"
        for column, message in errors.items():
            assert column and message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    valid = job.rows.filter(action="new").count()
    status = engine.commit_job(job.pk)
    job.refresh_from_db()
    assert status in {ImportJob.Status.COMMITTED, ImportJob.Status.FAILED}
    written = Contract.objects.count() - before
    assert written == job.new_count
    assert written <= valid
    if written:
        engine.rollback_job(job.pk)
        assert Contract.objects.count() == before
