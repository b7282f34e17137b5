"""History migration (issue 4 item 8) on the committed sample export (tests/imports/history_sample/): two
organisations, 2004-chart accounts, vouchers in two periods, balances, records, one deliberately bad row."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from backoffice.accounting.models import Account, AccountSet, PeriodBalance, Voucher, VoucherLine

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "history_sample"
V001 = "N2140121H7K100223B"


def migrate(folder: Path, report: Path, *extra) -> tuple[int, dict, list[str]]:
    out = StringIO()
    code = 0
    try:
        call_command(
            "migrate_history",
            str(folder),
            "--source",
            "vendor-x",
            "--report",
            str(report),
            *extra,
            stdout=out,
        )
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]), lines[:-1]


def org_report(report: Path, key: str = V001) -> dict:
    return json.loads((report / f"{key}.json").read_text(encoding="utf-8"))


def edit_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def sample(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    return folder


def counts() -> dict:
    return {
        m.__name__: m.objects.filter(source_system="vendor-x").count()
        for m in (AccountSet, Account, Voucher, VoucherLine, PeriodBalance)
    }


def test_sample_loads_with_one_rejected_row_and_rerun_changes_nothing(tmp_path):
    code, summary, lines = migrate(SAMPLE, tmp_path / "r1")
    assert code == 1  # the deliberately bad row
    assert summary["organisations"] == 2, lines[:8]
    assert summary["rejected_rows"] == 1 and summary["failed_checks"] == 0, lines
    rows = summary["rows"]
    assert rows["vouchers"]["created"] == 6 and rows["voucher_lines"]["created"] == 12
    assert rows["balances"]["created"] == 28 and rows["contracts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert rows["members"]["created"] == 1 and rows["debts"]["created"] == 1
    assert lines == [
        "contracts.csv 第 3 行 N列“起始日期”：“2023-13-01”不是有效的日期，请写成 2024-03-01 或 2024年3月1日"
    ]
    first = counts()
    code, again, _ = migrate(SAMPLE, tmp_path / "r2")
    assert code == 1 and counts() == first
    for entity, slot in again["rows"].items():
        assert slot["created"] == 0 and slot["updated"] == 0, (entity, slot)
    assert again["rows"]["vouchers"]["unchanged"] == 6


def test_orgs_vouchers_and_history_flags(tmp_path):
    from backoffice.contracts.models import Contract
    from backoffice.regions.models import CollectiveOrg

    migrate(SAMPLE, tmp_path / "r")
    org = CollectiveOrg.objects.get(credit_code=V001)
    assert (org.region_code, org.source_system, org.source_id) == ("140121100002", "vendor-x", "V001")
    voucher = Voucher.objects.get(source_system="vendor-x", source_id="P1-1")
    assert (voucher.status, voucher.source, voucher.total_amount, voucher.period) == (
        "posted",
        "migration",
        Decimal("5000.00"),
        "202311",
    )
    assert voucher.account_set.chart_version == "2004" and voucher.region_code == "140121100002"
    assert sorted(voucher.lines.values_list("account__code", "debit", "credit")) == [
        ("102", Decimal("5000.00"), Decimal("0.00")),
        ("501", Decimal("0.00"), Decimal("5000.00")),
    ]
    contract = Contract.objects.get(source_system="vendor-x", source_id="C1-1")
    assert contract.is_history  # term started 2019: migrated as 历史数据
    assert contract.subject_resource.source_id == "R1-1"


def test_2004_codes_mapped_to_2023_through_the_mapping_table(tmp_path):
    migrate(SAMPLE, tmp_path / "r")
    new = dict(
        Account.objects.filter(
            account_set__org__credit_code=V001, account_set__chart_version="2023"
        ).values_list("code", "name")
    )
    # 502 经营支出 → 511 经营支出 (not the 2023 "502 投资收益"), 202 → 211, 541 → 513; suffixes kept
    assert new["511"] == "经营支出" and new["211"] == "应付款" and new["513"] == "管理费用"
    assert new["101"] == "库存现金" and new["112001"] == "应收款-单位"
    assert "502" not in new and "131" not in new and "132" not in new
    child = Account.objects.get(
        account_set__org__credit_code=V001, account_set__chart_version="2023", code="112001"
    )
    assert child.parent.code == "112" and child.level == 2
    mapping = {m["old_code"]: m for m in org_report(tmp_path / "r")["mapping"]}
    assert mapping["502"]["status"] == "已转换" and mapping["502"]["new_code"] == "511"
    assert mapping["502"]["mapping_version"] == "2023-20"


def test_flagged_mapping_rows_are_reported_not_guessed(tmp_path):
    _code, summary, _ = migrate(SAMPLE, tmp_path / "r")
    mapping = {m["old_code"]: m for m in org_report(tmp_path / "r")["mapping"]}
    assert mapping["131"]["status"] == "待核对官方附表" and mapping["131"]["new_code"] == "131、132"
    assert (
        mapping["511"]["status"] == "待核对官方附表"
    )  # 发包及上交收入 → 501? only per the official appendix
    assert summary["mapping_not_converted"] == 2
    markdown = (tmp_path / "r" / f"{V001}.md").read_text(encoding="utf-8")
    assert "| 131 | 牲畜(禽)资产 | 131、132 |  | 待核对官方附表 |" in markdown


def test_validation_report_contents(tmp_path):
    migrate(SAMPLE, tmp_path / "r")
    report = org_report(tmp_path / "r")
    assert report["org"]["name"] == "贯中社区股份经济合作社（迁移样例）"
    assert report["counts"]["vouchers"] == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    periods = {p["period"]: p for p in report["periods"]}
    assert set(periods) == {"202311", "202312"} and all(p["ok"] for p in periods.values())
    assert periods["202311"]["voucher_debit"] == periods["202311"]["balance_debit"] == "6200.00"
    assert report["carry_forward_breaks"] == [] and report["voucher_vs_balance"] == []
    assert report["rejected"] == [
        {
            "file": "contracts.csv",
            "row": 3,
            "column": "N列“起始日期”",
            "reason": "“2023-13-01”不是有效的日期，请写成 2024-03-01 或 2024年3月1日",
        },
    ]
    other = json.loads((tmp_path / "r" / "N2140121H7K100224E.json").read_text(encoding="utf-8"))
    assert other["rejected"] == [] and other["counts"]["members"]["created"] == 1
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["organisations"] == 2
    assert "## 六、被拒绝的行" in (tmp_path / "r" / f"{V001}.md").read_text(encoding="utf-8")


def test_unbalanced_voucher_and_carry_forward_break(sample, tmp_path):
    def unbalance(rows):
        rows[1][5] = "4,900.00"  # P1-1: debit 4,900 vs credit 5,000

    def break_chain(rows):
        for row in rows:
            if row[0] == "V002" and row[2] == "102" and row[3] == "202312":
                row[4], row[7] = "2999.00", "2999.00"  # opening ≠ November's closing 3,000

    edit_csv(sample / "voucher_lines.csv", unbalance)
    edit_csv(sample / "balances.csv", break_chain)
    code, summary, _lines = migrate(sample, tmp_path / "r")
    assert code == 1 and summary["failed_checks"] >= 2
    report = org_report(tmp_path / "r")
    assert {
        "file": "vouchers.csv",
        "row": 2,
        "column": "整行",
        "reason": "借贷不平衡：借方合计 4,900.00 元，贷方合计 5,000.00 元，相差 -100.00 元；整张凭证未导入",
    } in report["rejected"]
    assert not Voucher.objects.filter(source_system="vendor-x", source_id="P1-1").exists()
    other = json.loads((tmp_path / "r" / "N2140121H7K100224E.json").read_text(encoding="utf-8"))
    assert other["carry_forward_breaks"] == [
        {
            "chart": "2004",
            "account": "102",
            "period": "202311",
            "closing": "3000.00",
            "next_period": "202312",
            "next_opening": "2999.00",
        },
    ]
    assert not next(p for p in other["periods"] if p["period"] == "202312")[
        "ok"
    ]  # opening no longer sums to 0


def test_rerun_with_corrections_updates_in_place(sample, tmp_path):
    from backoffice.contracts.models import Contract

    migrate(sample, tmp_path / "r1")

    def fix(rows):
        rows[2][13] = "2023-03-01"  # the bad date corrected
        rows[1][3] = "东河滩耕地出租合同（续）"

    edit_csv(sample / "contracts.csv", fix)
    code, summary, _ = migrate(sample, tmp_path / "r2")
    assert code == 0 and summary["ok"], summary
    assert summary["rows"]["contracts"] == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 0}
    assert Contract.objects.filter(source_system="vendor-x").count() == 2
    assert Contract.objects.get(source_system="vendor-x", source_id="C1-1").name == "东河滩耕地出租合同（续）"


def test_rows_of_unknown_org_and_scope(sample, tmp_path):
    def stray(rows):
        rows.append(["V999", "2004", "101", "现金", "借", "A9-101"])

    edit_csv(sample / "accounts.csv", stray)
    code, summary, lines = migrate(sample, tmp_path / "r", "--user", "village_bookkeeper")
    # the village bookkeeper's scope holds neither sample organisation: both refused, nothing written
    assert summary["organisations"] == 0 and code == 1
    assert any("不在您的管辖范围内" in line for line in lines)
    assert any("组织编号“V999”不在 organisations 文件中" in line for line in lines)
    assert counts()["Account"] == 0


def test_xlsx_entity_file_and_2024_opening_check(sample, tmp_path):
    """An entity may come as xlsx; the 2024-01 opening of the new chart is checked against the 2023-12
    closing of the old one carried through the mapping."""
    import openpyxl

    with (sample / "organisations.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    book = openpyxl.Workbook()
    book.active.append(["原系统导出：组织"])  # a title row above the header
    for row in rows:
        book.active.append(row)
    book.save(sample / "organisations.xlsx")
    (sample / "organisations.csv").unlink()

    def opening(rows):
        for code, amount in (
            ("101", "300"),
            ("102", "2990"),
            ("301", "-2500"),
            ("501", "-1000"),
            ("513", "200"),
        ):
            rows.append(["V002", "2023", code, "202401", amount, "0", "0", amount, f"N2-{code}"])

    edit_csv(sample / "balances.csv", opening)
    code, summary, _lines = migrate(sample, tmp_path / "r")
    assert summary["organisations"] == 2
    other = json.loads((tmp_path / "r" / "N2140121H7K100224E.json").read_text(encoding="utf-8"))
    checked = {
        o["new_code"]: (o["mapped_2023_12_closing"], o["opening_2024_01"], o["ok"])
        for o in other["opening_2024"]
    }
    assert checked["513"] == ("200.00", "200.00", True)  # old 541 管理费用 → new 513
    assert checked["102"] == ("3000.00", "2990.00", False)
    assert code == 1 and summary["failed_checks"] >= 1


def test_rerun_change_sends_approved_record_back_to_draft(sample, tmp_path):
    from backoffice.contracts.models import Contract
    from backoffice.core.choices import ReviewStatus

    migrate(sample, tmp_path / "r1", "--user", "county_admin")
    Contract.objects.filter(source_system="vendor-x").update(review_status=ReviewStatus.APPROVED)

    def rename(rows):
        rows[1][3] = "东河滩耕地出租合同（改）"

    edit_csv(sample / "contracts.csv", rename)
    migrate(sample, tmp_path / "r2", "--user", "county_admin")
    changed = Contract.objects.get(source_system="vendor-x", source_id="C1-1")
    assert changed.review_status == ReviewStatus.DRAFT and changed.name.endswith("（改）")
