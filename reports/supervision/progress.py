"""Weekly progress (周调度) and monthly analysis (每月研判) from the same coverage data as the bulletins.

Both are built from ``compute_coverage(...).as_dict()`` replayed for past days (``as_of``), so a past week
or month reads the same later:

- ``build_weekly``: the year-to-date coverage as of a day against the same coverage seven days earlier —
  per child region the data and approval rates, the villages with no data and the data-quality shares,
  then and now; the villages newly covered in the week and those still without any data;
- ``build_monthly``: the coverage of each of the last ``TREND_MONTHS`` months (each month as its own
  period, as of its last day or today) per child region, and the organisations with no data at all in
  ``STREAK_MONTHS`` or more consecutive months up to the chosen one.

The results are JSON-safe dicts; the pages and the workbooks (``progress_xlsx``) render them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from ..table import Period, ReportError
from .coverage import SCOPE_START, child_digits, compute_coverage
from .present import overall, quality_labels, ratio

WEEK_DAYS = 7
TREND_MONTHS = 6
STREAK_MONTHS = 2


def _shares(row: dict, quality: list) -> dict:
    """The shares one row of a coverage JSON contributes to the progress views (None: nothing to count)."""
    units, with_data, approved = overall(row)
    return {
        "coverage": ratio(with_data, units),
        "approved": ratio(approved, units),
        "quality": {code: ratio(*row.get("quality", {}).get(code, [0, 0])) for code, _label in quality},
    }


def _no_data(data: dict) -> dict[str, dict]:
    """The organisations without any data, keyed by village code and name."""
    return {f"{lag['code']}|{lag['org']}": lag for lag in data["laggards"] if lag["no_data"]}


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def build_weekly(*, user, region_code: str, as_of: date | None = None) -> dict:
    """This week's coverage of ``region_code``'s children against last week's (year to date)."""
    as_of = as_of or timezone.localdate()
    previous = as_of - timedelta(days=WEEK_DAYS)
    period = Period("year", as_of.year, 1)
    now = compute_coverage(user=user, region_code=region_code, period=period, as_of=as_of).as_dict()
    before = compute_coverage(user=user, region_code=region_code, period=period, as_of=previous).as_dict()
    quality = quality_labels(now)
    old_rows = {row["code"]: row for row in before["children"]}
    missing_now, missing_before = _no_data(now), _no_data(before)

    digits = child_digits(now["region_code"])

    def missing_in(missing: dict[str, dict], code: str | None) -> int:
        return sum(
            1 for lag in missing.values() if code is None or lag["code"][:digits].ljust(12, "0") == code
        )

    def line(row: dict, old: dict | None, *, is_total: bool = False) -> dict:
        current = _shares(row, quality)
        last = _shares(old, quality) if old else {"coverage": None, "approved": None, "quality": {}}
        code = None if is_total else row["code"]
        return {
            "code": row["code"],
            "name": row["name"],
            "coverage": [
                current["coverage"],
                last["coverage"],
                _delta(current["coverage"], last["coverage"]),
            ],
            "approved": [
                current["approved"],
                last["approved"],
                _delta(current["approved"], last["approved"]),
            ],
            "no_data": [missing_in(missing_now, code), missing_in(missing_before, code)],
            "quality": {
                code: [current["quality"][code], last["quality"].get(code)] for code, _label in quality
            },
        }

    laggard = ("child", "village", "code", "org")
    return {
        "title": f"{now['region_name']}“两个平台”推广应用周调度（截至{as_of:%Y年%m月%d日}）",
        "region_code": now["region_code"],
        "region_name": now["region_name"],
        "period": period.code,
        "as_of": as_of.isoformat(),
        "previous_as_of": previous.isoformat(),
        "quality": quality,
        "children": [line(row, old_rows.get(row["code"])) for row in now["children"]],
        "total": line(now["total"], before["total"], is_total=True),
        "newly_covered": [
            {k: lag[k] for k in laggard} for key, lag in missing_before.items() if key not in missing_now
        ],
        "still_missing": [
            {k: lag[k] for k in laggard} for key, lag in missing_now.items() if key in missing_before
        ],
    }


def trend_months(month: Period) -> list[Period]:
    """The ``TREND_MONTHS`` months up to ``month``, oldest first, none before the data scope."""
    months = [month]
    while len(months) < TREND_MONTHS and months[0].previous().start >= SCOPE_START:
        months.insert(0, months[0].previous())
    return months


def build_monthly(*, user, region_code: str, month: Period | str | None = None) -> dict:
    """Month-over-month coverage and data quality of ``region_code``'s children, and the organisations
    with no data in consecutive months."""
    today = timezone.localdate()
    month = Period.parse(month) if month else Period.containing("month", today)
    if month.kind != "month":
        raise ReportError(f"每月研判按月份查看，请输入 YYYY-MM，如 {today:%Y-%m}。")
    if month.start > today:
        raise ReportError("所选月份尚未开始，请选择本月或以前的月份。")
    months = trend_months(month)
    quality: list = []
    series: list[dict] = []
    for item in months:
        data = compute_coverage(
            user=user, region_code=region_code, period=item, as_of=min(item.end, today)
        ).as_dict()
        quality = quality_labels(data)
        series.append(data)
    latest = series[-1]

    def trend(code: str | None) -> dict:
        points = []
        for data in series:
            row = (
                data["total"]
                if code is None
                else next((r for r in data["children"] if r["code"] == code), None)
            )
            points.append(
                _shares(row, quality) if row else {"coverage": None, "approved": None, "quality": {}}
            )
        return {
            "coverage": [p["coverage"] for p in points],
            "approved": [p["approved"] for p in points],
            "quality": {code_: [p["quality"].get(code_) for p in points] for code_, _label in quality},
        }

    children = []
    for row in latest["children"]:
        line = {"code": row["code"], "name": row["name"], **trend(row["code"])}
        line["change"] = _delta(line["coverage"][-1], line["coverage"][-2] if len(months) > 1 else None)
        children.append(line)
    total = {"code": latest["region_code"], "name": "合计", **trend(None)}
    total["change"] = _delta(total["coverage"][-1], total["coverage"][-2] if len(months) > 1 else None)

    # Consecutive months without any data, counted back from the chosen month.
    streaks: dict[str, dict] = {}
    missing = [_no_data(data) for data in series]
    for key, lag in missing[-1].items():
        streak = 0
        for month_missing in reversed(missing):
            if key not in month_missing:
                break
            streak += 1
        if streak >= STREAK_MONTHS:
            streaks[key] = {
                "child": lag["child"],
                "village": lag["village"],
                "code": lag["code"],
                "org": lag["org"],
                "months": streak,
                "since": months[-streak].code,
            }
    laggards = sorted(streaks.values(), key=lambda lag: (-lag["months"], lag["code"], lag["org"]))
    return {
        "title": f"{latest['region_name']}“两个平台”推广应用每月研判（{month.label}）",
        "region_code": latest["region_code"],
        "region_name": latest["region_name"],
        "month": month.code,
        "months": [item.code for item in months],
        "quality": quality,
        "children": children,
        "total": total,
        "laggards": laggards,
        "streak_months": STREAK_MONTHS,
    }
