"""Periods, display rules (万元 at county and above, ratios as percent) and the catalogue's shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reports.catalogue import REPORTS
from reports.indicators import CATALOGUE
from reports.table import Indicator, Period, ReportError, ReportTable, TableRow


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2025-03", "month", date(2025, 3, 1), date(2025, 3, 31), "2025年3月"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        ("2025-Q1", "quarter", date(2025, 1, 1), date(2025, 3, 31), "2025年第1季度"),
        ("2025q4", "quarter", date(2025, 10, 1), date(2025, 12, 31), "2025年第4季度"),
        ("2025", "year", date(2025, 1, 1), date(2025, 12, 31), "2025年"),
    ],
)
def test_period_parses_month_quarter_and_year(text, kind, start, end, label):
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "25-03", "2025/03", "", "abc"])
def test_bad_period_is_a_chinese_error(text):
    with pytest.raises(ReportError, match="期间"):
        Period.parse(text)


def test_previous_period_crosses_the_year():
    assert Period.parse("2025-01").previous() == Period.parse("2024-12")
    assert Period.parse("2025-Q1").previous() == Period.parse("2024-Q4")
    assert Period.parse("2025").previous() == Period.parse("2024")


def _table(level: str, unit: str) -> ReportTable:
    columns = [
        Indicator("m", "金额", "元", "money"),
        Indicator("r", "比率", "%", "ratio"),
        Indicator("c", "份数", "份", "count"),
    ]
    row = TableRow(
        "140121100000", "清源镇", "region", {"m": Decimal("12345678.905"), "r": Decimal("0.8534"), "c": 3}
    )
    return ReportTable(
        "R3",
        "合同兑现统计表",
        level,
        "140121000000",
        "清徐县",
        Period.parse("2025"),
        columns,
        [row],
        row,
        display_unit=unit,
    )


def test_money_is_shown_in_wan_yuan_at_county_level_and_in_yuan_at_township_level():
    county = _table("county", "万元")
    row = county.rows[0]
    assert county.display(row, county.columns[0]) == "1,234.57"
    assert county.column_unit(county.columns[0]) == "万元"
    township = _table("township", "元")
    assert township.display(row, township.columns[0]) == "12,345,678.91"
    assert county.display(row, county.columns[1]) == "85.3%"
    assert county.display(row, county.columns[2]) == "3"
    frame = county.to_frame()
    assert frame.loc[0, "金额"] == pytest.approx(12345678.905), "the frame keeps full-precision 元"


def test_every_report_has_columns_from_the_catalogue_and_a_detail_changelist():
    assert {f"R{n}" for n in range(1, 14)} | {f"S{n}" for n in range(1, 6)} == set(REPORTS)
    for definition in REPORTS.values():
        assert definition.columns, definition.code
        assert all(code in CATALOGUE for code in definition.needed_codes())
        assert "." in definition.detail_model
        params = definition.detail_filter("140121100", Period.parse("2025-Q1"))
        assert params["region_code__startswith"] == "140121100"
