"""Half-monthly bulletins (半月通报): rank the child regions of a region on the scorecard, name the villages
with no data, compare with the previous bulletin, and store the frozen JSON with its xlsx.

A bulletin is computed as of a day (``as_of``): records entered after it do not count, so the bulletin of a
past date can be rebuilt and matches the stored one. Bulletin days are the 15th and the last day of each
month; the period is the year to date (全部入网 is measured from 2022 on, year by year).
"""

from __future__ import annotations

import calendar
from datetime import date

from django.db import IntegrityError, transaction

from ..table import Period, ReportError
from .present import overall, ratio
from .scoring import compute_scores


def bulletin_day(today: date) -> date | None:
    """The bulletin day ``today`` is, or None (15th and month end: 半月通报)."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today if today.day in (15, last) else None


def bulletin_number(as_of: date) -> str:
    """“2026年11月上半月” / “下半月”."""
    half = "上半月" if as_of.day <= 15 else "下半月"
    return f"{as_of.year}年{as_of.month}月{half}"


def build_bulletin_data(*, user, region_code: str, as_of: date, previous: dict | None = None) -> dict:
    """The JSON of a bulletin (no database writes)."""
    period = Period("year", as_of.year, 1)
    coverage, scores = compute_scores(user=user, region_code=region_code, period=period, as_of=as_of)
    data = coverage.as_dict()
    before = {item["code"]: item for item in (previous or {}).get("ranking", [])}
    rows = {row["code"]: row for row in data["children"]}
    ranking = []
    for score in scores:
        units, with_data, _approved = overall(rows[score.code])
        old = before.get(score.code, {})
        value = float(score.score) if score.score is not None else None
        change = None
        if value is not None and old.get("score") is not None:
            change = round(value - old["score"], 2)
        ranking.append(
            {
                "rank": score.rank,
                "code": score.code,
                "name": score.name,
                "score": value,
                "coverage": ratio(with_data, units),
                "previous_rank": old.get("rank"),
                "previous_score": old.get("score"),
                "change": change,
                "laggard_villages": sum(
                    1 for lag in data["laggards"] if lag["no_data"] and lag["child"] == score.name
                ),
                "evidence": [
                    {
                        "label": e.label,
                        "value": e.value,
                        "weight": float(e.weight),
                        "target": float(e.target),
                        "points": float(e.points) if e.points is not None else None,
                    }
                    for e in score.evidence
                ],
            }
        )
    units, with_data, _approved = overall(data["total"])
    no_data = [lag for lag in data["laggards"] if lag["no_data"]]
    title = f"{coverage.region_name}“两个平台”推广应用情况通报（{bulletin_number(as_of)}）"
    summary = (
        f"截至{as_of:%Y年%m月%d日}，{coverage.region_name}{period.label}数据综合入网率"
        f"{(ratio(with_data, units) or 0) * 100:.1f}%；{len(no_data)}个村（集体经济组织）尚无任何数据。"
    )
    if ranking and ranking[0]["score"] is not None:
        summary += f"得分最高：{ranking[0]['name']}（{ranking[0]['score']:.2f}分）"
        last = [r for r in ranking if r["score"] is not None][-1]
        if last is not ranking[0]:
            summary += f"；最低：{last['name']}（{last['score']:.2f}分）"
        summary += "。"
    return {
        "title": title,
        "summary": summary,
        "as_of": as_of.isoformat(),
        "period": period.code,
        "previous_as_of": (previous or {}).get("as_of"),
        "ranking": ranking,
        "no_data": [{"org": lag["org"], "village": lag["village"], "child": lag["child"]} for lag in no_data],
        "coverage": data,
    }


def bulletin_generate(*, user, region_code: str, as_of: date):
    """Create (or return the existing) bulletin of ``region_code`` as of ``as_of``."""
    from backoffice.regions.models import Region

    from .models import Bulletin
    from .xlsx import bulletin_workbook

    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ReportError(f"区划代码“{region_code}”不存在。")
    if region.level >= 5:
        raise ReportError("通报按乡镇及以上区划生成，请选择乡镇、县、市或省。")
    existing = Bulletin.objects.visible_to(user).filter(region=region, as_of=as_of).first()
    if existing is not None:
        return existing
    previous = (
        Bulletin.objects.visible_to(user).filter(region=region, as_of__lt=as_of).order_by("-as_of").first()
    )
    data = build_bulletin_data(
        user=user, region_code=region_code, as_of=as_of, previous=previous.data if previous else None
    )
    bulletin = Bulletin(
        region=region,
        region_code=region.code,
        as_of=as_of,
        period=data["period"],
        title=data["title"],
        data=data,
        xlsx=bulletin_workbook(data),
        previous=previous,
    )
    bulletin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        # the scheduled job and a user built the same day at once: keep the one stored first
        return Bulletin.objects.get(region=region, as_of=as_of)
    return bulletin


def bulletin_regions() -> list[str]:
    """Regions that get a bulletin on each bulletin day: every province, city, county and township above
    a village-level organisation (one bulletin per level, 省市县乡)."""
    from backoffice.regions.models import CollectiveOrg, Region

    codes = set(
        CollectiveOrg.objects.exclude(region_code__endswith="000").values_list("region_code", flat=True)
    )
    wanted = set()
    for code in codes:
        for digits in (2, 4, 6, 9):
            wanted.add(code[:digits].ljust(12, "0"))
    return sorted(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
