"""Scores of child regions (counties of a city, townships of a county) on the active scorecard.

Each indicator's value is a share (0–1) read from the coverage of the parent region; its attainment is
value ÷ target capped at 1, its points attainment × weight. Data-quality indicators enter as the share
of good cases (1 − the share of returned decisions, invalid import rows, mismatched reconciliations).
The score is the points over the weights of the indicators that apply, on a 100-point scale: an
indicator with nothing to count in a region (no expiring contracts, no alerts due) is shown as 不适用 and
left out rather than scored 0 or full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..table import Period, ReportError
from .choices import IndicatorCode
from .coverage import Coverage, Row, compute_coverage

TWO = Decimal("0.01")

#: scorecard indicators that are the complement of a data-quality share (higher is better)
QUALITY_SOURCES = {
    IndicatorCode.QUALITY: "returned",
    IndicatorCode.IMPORT_VALID: "import_invalid",
    IndicatorCode.BANK_MATCH: "bank_mismatch",
}


def indicator_value(row: Row, code: str) -> float | None:
    """The share an indicator measures for one region row (None: nothing to count)."""
    if code == IndicatorCode.COVERAGE:
        return row.overall().rate
    if code == IndicatorCode.APPROVAL:
        return row.overall().approved_rate
    if code in QUALITY_SOURCES:
        bad = row.quality_rate(QUALITY_SOURCES[code])
        return None if bad is None else 1 - bad
    return row.extra_rate(code)


@dataclass
class Evidence:
    indicator: str
    label: str
    value: float | None
    weight: Decimal
    target: Decimal
    points: Decimal | None

    @property
    def value_percent(self) -> str:
        return "不适用" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass
class Score:
    code: str
    name: str
    score: Decimal | None
    evidence: list[Evidence] = field(default_factory=list)
    rank: int | None = None


def active_scorecard():
    """The scorecard in force; the default one is created when there is no scorecard at all."""
    from .defaults import create_default_scorecard
    from .models import Scorecard, ScoreIndicator

    create_default_scorecard(Scorecard, ScoreIndicator)
    card = Scorecard.objects.filter(is_active=True).prefetch_related("indicators").first()
    if card is None or not card.indicators.exists():
        raise ReportError("没有正在使用的考核评分表：请省级政策管理员在“考核评分表”中启用一张并设置指标。")
    return card


def score_row(row: Row, card) -> Score:
    evidence = []
    points_sum = Decimal(0)
    weight_sum = Decimal(0)
    for item in card.indicators.all():
        value = indicator_value(row, item.indicator)
        points = None
        if value is not None:
            attainment = min(Decimal(str(value)) / (item.target / 100), Decimal(1))
            points = (attainment * item.weight).quantize(TWO, ROUND_HALF_UP)
            points_sum += attainment * item.weight
            weight_sum += item.weight
        evidence.append(
            Evidence(item.indicator, item.get_indicator_display(), value, item.weight, item.target, points)
        )
    score = (points_sum * 100 / weight_sum).quantize(TWO, ROUND_HALF_UP) if weight_sum else None
    return Score(row.code, row.name, score, evidence)


def rank(scores: list[Score]) -> list[Score]:
    """Highest first; equal scores share a rank; unscored regions last without a rank."""
    ordered = sorted(scores, key=lambda s: (s.score is None, -(s.score or 0), s.code))
    previous, position = None, 0
    for index, item in enumerate(ordered, start=1):
        if item.score is None:
            continue
        if item.score != previous:
            position, previous = index, item.score
        item.rank = position
    return ordered


def compute_scores(
    *,
    user,
    region_code: str,
    period: Period | str,
    as_of: date | None = None,
    coverage: Coverage | None = None,
) -> tuple[Coverage, list[Score]]:
    """Scores of the children of ``region_code`` with the evidence behind each, best first."""
    card = active_scorecard()
    coverage = coverage or compute_coverage(user=user, region_code=region_code, period=period, as_of=as_of)
    return coverage, rank([score_row(row, card) for row in coverage.children])
