"""Bank feed (银农直连) statement import: both adapters, idempotency on (account, serial, date), balance
continuity gaps by row, unknown accounts masked, the command's JSON and exit code, the rules triggered
once after the commit, and the admin upload run by the worker (issue 4 item 7)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from backoffice.funds.choices import Direction
from backoffice.funds.models import BankAccount, BankTransaction
from imports.bankfeed.adapters import ADAPTERS, detect
from imports.bankfeed.ingest import ingest
from imports.bankfeed.models import BankFeedJob

from .helpers import book_of

pytestmark = pytest.mark.django_db
NUMBER = "6228480000012345678"
HEADER = ["账号", "交易日期", "流水号", "借贷标志", "金额", "余额", "对方户名", "对方账号", "摘要"]


@pytest.fixture
def account(org_a):
    template = BankAccount.objects.first()
    return BankAccount.objects.create(
        org=org_a,
        account_no=NUMBER,
        account_name=org_a.name,
        bank_name="测试农商银行清源支行",
        bank_branch_code=template.bank_branch_code,
        opened_on=dt.date(2015, 1, 1),
        is_direct_link=True,
    )


@pytest.fixture
def dispatched(monkeypatch):
    from rules import triggers

    calls = []
    triggers._pending.batch = None  # keys of earlier tests' never-committed transactions
    monkeypatch.setattr(triggers, "dispatch", lambda func, *args: calls.append((func, args)))
    yield calls
    triggers._pending.batch = None


def generic_csv(rows: list[list]) -> bytes:
    """UTF-8 with BOM, as Excel saves "CSV UTF-8"; amounts with thousands separators are quoted."""
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def three_rows(number=NUMBER):
    return [
        [
            number,
            "2024-03-01",
            "SN001",
            "贷",
            "1,000.00",
            "11000.00",
            "张三",
            "6217000000000000001",
            "承包费",
        ],
        [number, "2024/3/2", "SN002", "借", "300", "10700", "清徐县某建材有限公司", "", "购材料"],
        [number, "2024年3月3日", "SN003", "收入", "50.5元", "10750.50", "", "", "利息"],
    ]


def test_generic_csv_then_reimport_inserts_nothing(users, account):
    user = users["village_bookkeeper"]
    first = ingest(generic_csv(three_rows()), "流水.csv", user=user)
    assert first.adapter == "generic"
    assert (first.rows, first.created, first.skipped, first.problem_dicts()) == (3, 3, 0, [])
    txns = list(BankTransaction.objects.filter(account=account).order_by("txn_date"))
    assert [(t.bank_serial, t.direction, t.amount, t.balance_after) for t in txns] == [
        ("SN001", Direction.CREDIT, Decimal("1000.00"), Decimal("11000.00")),
        ("SN002", Direction.DEBIT, Decimal("300.00"), Decimal("10700.00")),
        ("SN003", Direction.CREDIT, Decimal("50.50"), Decimal("10750.50")),
    ]
    assert txns[0].counterparty_kind == "individual" and txns[1].counterparty_kind == "organisation"
    assert txns[0].region_code == account.region_code and txns[0].source == "file"
    again = ingest(generic_csv(three_rows()), "流水.csv", user=user)
    assert (again.created, again.skipped, again.problems) == (0, 3, [])
    assert BankTransaction.objects.filter(account=account).count() == 3


def test_continuity_gap_reported_by_row_and_row_still_stored(users, account):
    rows = three_rows()
    rows[2][5] = "10800.00"  # should be 10,750.50: a missing item or a wrong amount
    result = ingest(generic_csv(rows), "gap.csv", user=users["village_bookkeeper"])
    assert result.created == 3
    gaps = [p for p in result.problem_dicts() if p["kind"] == "gap"]
    assert len(gaps) == 1
    assert gaps[0]["row"] == 4 and gaps[0]["file"] == "gap.csv"
    assert gaps[0]["column"] == "F列“余额”"
    assert "余额不连续" in gaps[0]["message"] and "SN003" in gaps[0]["message"]
    assert result.summary()["gaps"] == 1 and not result.ok


def test_unknown_account_reported_masked(users, account):
    rows = three_rows()
    rows.append(["6217991234567890123", "2024-03-04", "X9", "借", "10", "0", "", "", ""])
    result = ingest(generic_csv(rows), "mixed.csv", user=users["village_bookkeeper"])
    assert result.created == 3
    unknown = [p for p in result.problem_dicts() if p["kind"] == "unknown_account"]
    assert [p["row"] for p in unknown] == [5]
    assert "621799" in unknown[0]["message"] and "0123" in unknown[0]["message"]
    assert "6217991234567890123" not in json.dumps(result.problem_dicts(), ensure_ascii=False)


def test_account_outside_scope_is_unknown_to_the_user(users, org_b):
    """A village bookkeeper cannot feed another township's account, nor learn that it exists."""
    template = BankAccount.objects.first()
    BankAccount.objects.create(
        org=org_b,
        account_no=NUMBER,
        account_name=org_b.name,
        bank_name="测试农商银行徐沟支行",
        bank_branch_code=template.bank_branch_code,
        opened_on=dt.date(2015, 1, 1),
    )
    result = ingest(generic_csv(three_rows()), "b.csv", user=users["village_bookkeeper"])
    assert result.created == 0 and result.count("unknown_account") == 3
    assert "未在平台登记，或不在您的管辖范围内" in result.problems[0].message


def test_bad_cells_named_by_row_and_column(users, account):
    rows = three_rows()
    rows[1][1] = "2024-13-45"
    rows[2][3] = "转"
    result = ingest(generic_csv(rows), "bad.csv", user=users["village_bookkeeper"])
    problems = {(p["row"], p["column"]) for p in result.problem_dicts()}
    assert (3, "B列“交易日期”") in problems and (4, "D列“借贷标志”") in problems
    assert result.created == 1


def rcc_book(number=NUMBER, newest_first=True) -> bytes:
    header = [
        "交易日期",
        "交易时间",
        "账号",
        "户名",
        "对方账号",
        "对方户名",
        "对方行名",
        "借方发生额",
        "贷方发生额",
        "余额",
        "流水号",
        "摘要",
        "附言",
    ]
    rows = [
        [
            "20240305",
            "093015",
            number,
            "某村股份经济合作社",
            "6217000000000000001",
            "李四",
            "",
            "",
            "2000.00",
            "5000.00",
            "A0001",
            "转账",
            "承包费",
        ],
        [
            "20240305",
            "101500",
            number,
            "某村股份经济合作社",
            "",
            "某公司",
            "",
            "1200.00",
            "",
            "3800.00",
            "A0002",
            "网银",
            "货款",
        ],
        [
            "20240306",
            "080000",
            number,
            "某村股份经济合作社",
            "",
            "",
            "",
            "",
            "0.37",
            "3800.37",
            "A0003",
            "结息",
            "",
        ],
    ]
    if newest_first:
        rows = rows[::-1]
    title = [["山西省农村信用社 账户交易明细"], [f"账号：{number}", None, "查询期间：20240301-20240331"]]
    footer = [["合计", None, None, None, None, None, None, "1200.00", "2000.37"]]
    return book_of([*title, header, *rows, *footer])


def test_rural_credit_layout_detected_and_ordered(users, account):
    data = rcc_book()
    assert detect(data, "明细.xlsx") is ADAPTERS["sxnx"]
    result = ingest(data, "明细.xlsx", user=users["village_bookkeeper"])
    assert result.adapter == "sxnx"
    assert (result.created, result.problems) == (3, []), result.problem_dicts()
    first = BankTransaction.objects.get(account=account, bank_serial="A0001")
    assert (first.direction, first.amount, first.txn_time) == (
        Direction.CREDIT,
        Decimal("2000.00"),
        dt.time(9, 30, 15),
    )
    second = BankTransaction.objects.get(account=account, bank_serial="A0002")
    assert (second.direction, second.amount, second.purpose) == (Direction.DEBIT, Decimal("1200.00"), "货款")
    assert ingest(data, "明细.xlsx", user=users["village_bookkeeper"]).created == 0


def test_records_changed_once_after_commit(users, account, dispatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(generic_csv(three_rows()), "流水.csv", user=users["village_bookkeeper"])
    calls = [c for c in dispatched if c[1][0] == "funds.BankTransaction"]
    assert len(calls) == 1
    func, (_label, pks, trigger) = calls[0]
    assert func == "rules.tasks.evaluate_records" and trigger == "on_import"
    assert sorted(int(pk) for pk in pks) == sorted(result.created_pks)


def test_reimport_triggers_no_rules(users, account, dispatched, django_capture_on_commit_callbacks):
    ingest(generic_csv(three_rows()), "流水.csv", user=users["village_bookkeeper"])
    dispatched.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(generic_csv(three_rows()), "流水.csv", user=users["village_bookkeeper"])
    assert dispatched == []


def test_command_json_and_exit_codes(users, account, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(generic_csv(three_rows()))
    out = StringIO()
    call_command("import_bank_feed", str(good), "--user", "village_bookkeeper", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary == {
        "file": "good.csv",
        "format": "generic",
        "rows": 3,
        "created": 3,
        "skipped": 0,
        "gaps": 0,
        "unknown_accounts": 0,
        "invalid": 0,
        "ok": True,
    }
    out = StringIO()
    call_command("import_bank_feed", str(good), "--format", "generic", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["skipped"] == 3
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(rcc_book(number="6217991234567890123"))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_bank_feed", str(bad), stdout=out)
    assert exit_info.value.code == 1
    lines = out.getvalue().strip().splitlines()
    assert json.loads(lines[-1])["unknown_accounts"] == 3
    assert lines[0].startswith("bad.xlsx 第 ") and "C列“账号”" in lines[0]


def test_command_unreadable_file(tmp_path, users):
    path = tmp_path / "other.csv"
    path.write_text("姓名,年龄\n张三,30\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_bank_feed", str(path), stdout=out)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert last["ok"] is False and "无法识别" in last["error"]


def test_admin_upload_runs_in_worker_and_shows_report(client_for, account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("village_bookkeeper")
    rows = three_rows()
    rows[2][5] = "1.00"
    upload = SimpleUploadedFile("流水.csv", generic_csv(rows), content_type="text/csv")
    response = client.post(reverse("admin:imports_bankfeedjob_add"), {"file": upload, "format": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BankFeedJob.objects.latest("pk")
    assert job.status == "done", job.error_text
    assert (job.created_count, job.gap_count, job.format) == (3, 1, "generic")
    page = client.get(reverse("admin:imports_bankfeedjob_change", args=[job.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "余额不连续" in text and 'id="count-created">3<' in text


def test_late_item_fills_the_gap(users, account):
    """A missing item delivered by a later file is inserted inside the chain, which becomes continuous."""
    rows = three_rows()
    first = ingest(generic_csv([rows[0], rows[2]]), "1.csv", user=users["village_bookkeeper"])
    assert first.created == 2 and first.count("gap") == 1  # SN002 missing
    late = ingest(generic_csv([rows[1]]), "2.csv", user=users["village_bookkeeper"])
    assert (late.created, late.problem_dicts()) == (1, [])
    from backoffice.funds.selectors import bank_transaction_chain_gaps

    assert bank_transaction_chain_gaps(account=account) == []


def test_conflicting_redelivery_reported(users, account):
    ingest(generic_csv(three_rows()), "1.csv", user=users["village_bookkeeper"])
    rows = three_rows()
    rows[1][4] = "301"
    result = ingest(generic_csv(rows), "2.csv", user=users["village_bookkeeper"])
    assert (result.created, result.skipped) == (0, 2)
    assert [(p["row"], p["kind"]) for p in result.problem_dicts()] == [(3, "conflict")]
    assert BankTransaction.objects.get(account=account, bank_serial="SN002").amount == Decimal("300.00")


def test_admin_upload_is_queued_not_run_in_the_request(client_for, account, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.bankfeed import ingest as ingest_module

    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kw: queued.append((func, args)))
    client = client_for("village_bookkeeper")
    form = client.get(reverse("admin:imports_bankfeedjob_add"))
    assert form.status_code == 200 and "自动识别" in form.content.decode()
    upload = SimpleUploadedFile("流水.csv", generic_csv(three_rows()), content_type="text/csv")
    client.post(reverse("admin:imports_bankfeedjob_add"), {"file": upload, "format": "generic"})
    job = BankFeedJob.objects.latest("pk")
    assert job.status == "uploaded" and BankTransaction.objects.filter(account=account).count() == 0
    assert queued == [("imports.bankfeed.ingest.run_job", (job.pk,))]
    assert ingest_module.run_job(job.pk) == "done"  # what the worker does
    assert ingest_module.run_job(job.pk) == "done"  # delivered twice: nothing more
    assert BankTransaction.objects.filter(account=account).count() == 3
