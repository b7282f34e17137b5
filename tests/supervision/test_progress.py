"""Weekly progress (周调度) and monthly analysis (每月研判): numbers for a past day against an independent
count over raw rows, scope, and the workbook equal to the page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import openpyxl
import pytest
from django.urls import reverse

from reports.supervision.progress import STREAK_MONTHS, build_monthly, build_weekly
from reports.supervision.sources import MODULES
from reports.table import Period
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tests.reports.html_table import parse_table

pytestmark = pytest.mark.django_db

COUNTY_CODE = COUNTY.ljust(12, "0")
WEEKLY_URL = "admin:supervision_weeklypage_changelist"
MONTHLY_URL = "admin:supervision_monthlypage_changelist"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def villages() -> dict[int, dict]:
    from backoffice.regions.models import CollectiveOrg

    return {
        o.id: {"code": o.region_code, "name": o.name}
        for o in CollectiveOrg.objects.all()
        if o.region_code.startswith(COUNTY) and not o.region_code.endswith("000") and o.status == "active"
    }


def modules_with_data(period: Period, day: date) -> dict[int, set[str]]:
    """{organisation: modules with a row in ``period`` entered by the end of ``day``}, in plain Python."""
    from django.utils import timezone

    cutoff = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    units = villages()
    found: dict[int, set[str]] = {org_id: set() for org_id in units}
    for module in MODULES:
        for source in module.sources:
            for record in source.model._base_manager.all():
                if record.org_id not in found or record.created_at >= cutoff:
                    continue
                if source.date_field:
                    value = getattr(record, source.date_field)
                    if value is None or not (period.start <= value <= period.end):
                        continue
                elif timezone.localtime(record.created_at).date() > period.end:
                    continue
                found[record.org_id].add(module.code)
    return found


def share_by_township(found: dict[int, set[str]]) -> dict[str, float]:
    units = villages()
    totals: dict[str, list[int]] = {}
    for org_id, modules in found.items():
        pair = totals.setdefault(units[org_id]["code"][:9].ljust(12, "0"), [0, 0])
        pair[0] += len(modules)
        pair[1] += len(MODULES)
    return {code: covered / cells for code, (covered, cells) in totals.items()}


@pytest.fixture
def entered_over_two_weeks(org_a, org_b):
    """A past day; organisations exist since the year before; org_b's vouchers were entered ten days
    before it (both weeks), org_a's two days before it (this week only); nothing else was entered yet."""
    from backoffice.accounting.models import Voucher
    from backoffice.regions.models import CollectiveOrg

    day = Voucher.objects.filter(voucher_date__lt=date.today()).order_by("-voucher_date").first().voucher_date
    CollectiveOrg.objects.update(created_at=datetime(day.year - 1, 1, 1, tzinfo=UTC))
    for org, days in ((org_a, 2), (org_b, 10)):
        mine = Voucher.objects.filter(org=org, voucher_date__year=day.year)
        assert mine.exists()
        mine.update(created_at=noon(day - timedelta(days=days)))
    return day


def test_weekly_progress_matches_an_independent_count_for_a_past_day(
    users, org_a, org_b, entered_over_two_weeks
):
    day = entered_over_two_weeks
    period = Period("year", day.year, 1)
    weekly = build_weekly(user=users["county_admin"], region_code=COUNTY_CODE, as_of=day)
    now = modules_with_data(period, day)
    before = modules_with_data(period, day - timedelta(days=7))
    expected_now, expected_before = share_by_township(now), share_by_township(before)
    rows = {row["code"]: row for row in weekly["children"]}
    assert set(rows) == set(expected_now)
    for code, row in rows.items():
        assert row["coverage"][0] == pytest.approx(expected_now[code])
        assert row["coverage"][1] == pytest.approx(expected_before[code])
        assert row["coverage"][2] == pytest.approx(expected_now[code] - expected_before[code])
    units = villages()
    newly = {units[o]["name"] for o in now if now[o] and not before[o]}
    still = {units[o]["name"] for o in now if not now[o] and not before[o]}
    assert {v["org"] for v in weekly["newly_covered"]} == newly == {org_a.name}
    assert {v["org"] for v in weekly["still_missing"]} == still
    assert org_b.name not in still | newly
    assert weekly["total"]["no_data"] == [len(still), len(still) + 1]


def test_monthly_analysis_matches_an_independent_count_and_names_consecutive_laggards(users):
    from backoffice.accounting.models import Voucher
    from backoffice.regions.models import CollectiveOrg

    this_month = date.today().replace(day=1)
    # Every organisation existed, and every voucher was entered, long ago; nothing else is counted in
    # past months (the rest of the demo was entered today).
    CollectiveOrg.objects.update(created_at=datetime(2022, 1, 1, tzinfo=UTC))
    Voucher.objects.update(created_at=datetime(2022, 1, 1, tzinfo=UTC))
    last = Voucher.objects.filter(voucher_date__lt=this_month).order_by("-voucher_date").first().voucher_date
    month = Period.containing("month", last)
    monthly = build_monthly(user=users["county_admin"], region_code=COUNTY_CODE, month=month)
    months = [Period.parse(code) for code in monthly["months"]]
    assert months[-1] == month and len(months) == 6
    found = [modules_with_data(item, item.end) for item in months]
    for row in monthly["children"]:
        expected = [share_by_township(f)[row["code"]] for f in found]
        assert row["coverage"] == pytest.approx(expected)
        assert row["change"] == pytest.approx(expected[-1] - expected[-2])
    units = villages()
    streaks = {}
    for org_id in units:
        streak = 0
        for f in reversed(found):
            if f[org_id]:
                break
            streak += 1
        if streak >= STREAK_MONTHS:
            streaks[units[org_id]["name"]] = streak
    assert {lag["org"]: lag["months"] for lag in monthly["laggards"]} == streaks
    # the demo leaves some village without vouchers in the last two months, otherwise this proves little
    assert streaks or all(f[o] for f in found[-2:] for o in units)


def test_township_user_sees_only_their_township_on_the_progress_pages(client_for, users):
    client = client_for("township_reviewer")
    own = users["township_reviewer"].scope_region_id[:9]
    other = TOWNSHIP_B if own == TOWNSHIP_A else TOWNSHIP_A
    for url in (WEEKLY_URL, MONTHLY_URL):
        html = client.get(reverse(url)).content.decode()
        assert 'id="progress-title"' in html
        assert own in html or "清源镇" in html
        refused = client.get(reverse(url), {"region": COUNTY_CODE}).content.decode()
        assert "无权查看" in refused and 'id="progress-title"' not in refused
        assert other + "000" not in refused
    assert client_for("village_bookkeeper").get(reverse(WEEKLY_URL)).status_code in (302, 403)
    assert client_for("village_bookkeeper").get(reverse(MONTHLY_URL)).status_code in (302, 403)


def test_bad_month_is_a_chinese_message_not_a_crash(client_for):
    response = client_for("county_admin").get(reverse(MONTHLY_URL), {"month": "2026-Q3"})
    assert response.status_code == 200 and "请按月份输入" in response.content.decode()
    response = client_for("county_admin").get(reverse(WEEKLY_URL), {"as_of": "2021-05-01"})
    assert response.status_code == 200 and "2022年1月1日" in response.content.decode()


def cell_text(value, fmt: str) -> str:
    """How the page writes a workbook value of a format (percent with one decimal, a dash for nothing)."""
    if value == "—":
        return "—"
    if fmt == "pct":
        return f"{value * 100:.1f}%"
    if fmt == "delta":
        return f"{value * 100:+.1f}个百分点"
    return str(value)


@pytest.mark.parametrize("url", [WEEKLY_URL, MONTHLY_URL])
def test_progress_xlsx_equals_the_page(client_for, url):
    client = client_for("county_admin")
    page = client.get(reverse(url))
    html = page.content.decode()
    tables = page.context["tables"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse(url), {"export": "xlsx"}).content))
    assert book.sheetnames == [t["title"][:31] for t in tables]
    for table in tables:
        sheet = book[table["title"][:31]]
        assert [c.value for c in sheet[4]] == table["header"]
        sheet_rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
        if not table["rows"] and not table["total"]:
            assert sheet_rows == [] and f'id="{table["key"]}-empty"' in html
            continue
        shown = parse_table(html, table["key"]).rows
        assert len(shown) == len(sheet_rows) == len(table["rows"]) + bool(table["total"])
        cells = [*table["rows"], *([table["total"]] if table["total"] else [])]
        for on_page, in_book, row in zip(shown, sheet_rows, cells, strict=True):
            assert on_page == [cell_text(v, c["fmt"]) for v, c in zip(in_book, row, strict=True)]
