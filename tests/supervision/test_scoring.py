"""Scores follow the configured weights and targets, and change when policy staff change a weight."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.supervision.coverage import compute_coverage
from reports.supervision.scoring import active_scorecard, compute_scores, indicator_value
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db

YEAR = str(date.today().year)
COUNTY_CODE = COUNTY.ljust(12, "0")


def expected_score(row, card) -> Decimal | None:
    """Weighted attainment written out independently of the scoring module."""
    earned, possible = Decimal(0), Decimal(0)
    for item in card.indicators.all():
        value = indicator_value(row, item.indicator)
        if value is None:
            continue
        earned += min(Decimal(str(value)) * 100 / item.target, Decimal(1)) * item.weight
        possible += item.weight
    return (earned * 100 / possible).quantize(Decimal("0.01")) if possible else None


def test_township_scores_follow_the_configured_weights(users):
    card = active_scorecard()
    coverage, scores = compute_scores(user=users["county_admin"], region_code=COUNTY_CODE, period=YEAR)
    rows = {row.code: row for row in coverage.children}
    assert {s.code for s in scores} >= {TOWNSHIP_A.ljust(12, "0"), TOWNSHIP_B.ljust(12, "0")}
    for score in scores:
        assert score.score == expected_score(rows[score.code], card)
        assert [e.indicator for e in score.evidence] == [i.indicator for i in card.indicators.all()]


def test_changing_a_weight_changes_the_score(users):
    card = active_scorecard()
    card.indicators.exclude(indicator__in=["coverage", "direct_feed"]).delete()
    coverage_item = card.indicators.get(indicator="coverage")
    feed_item = card.indicators.get(indicator="direct_feed")
    coverage = compute_coverage(user=users["county_admin"], region_code=COUNTY_CODE, period=YEAR)
    row = next(
        r
        for r in coverage.children
        if indicator_value(r, "coverage") is not None
        and indicator_value(r, "direct_feed") is not None
        and min(indicator_value(r, "coverage"), 1) != min(indicator_value(r, "direct_feed") * 100 / 80, 1)
    )
    before = {
        s.code: s.score
        for s in compute_scores(user=users["county_admin"], region_code=COUNTY_CODE, period=YEAR)[1]
    }
    coverage_item.weight = Decimal("90")
    coverage_item.save()
    feed_item.weight = Decimal("10")
    feed_item.save()
    after = {
        s.code: s.score
        for s in compute_scores(user=users["county_admin"], region_code=COUNTY_CODE, period=YEAR)[1]
    }
    assert before[row.code] != after[row.code]
    assert after[row.code] == expected_score(row, active_scorecard())


def test_policy_staff_change_a_weight_in_the_admin(client_for):
    card = active_scorecard()
    items = list(card.indicators.all())
    data = {
        "name": card.name,
        "description": card.description,
        "is_active": "on",
        "indicators-TOTAL_FORMS": str(len(items)),
        "indicators-INITIAL_FORMS": str(len(items)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        data[f"indicators-{index}-id"] = str(item.pk)
        data[f"indicators-{index}-scorecard"] = str(card.pk)
        data[f"indicators-{index}-indicator"] = item.indicator
        data[f"indicators-{index}-weight"] = "55" if item.indicator == "coverage" else str(item.weight)
        data[f"indicators-{index}-target"] = str(item.target)
    url = reverse("admin:supervision_scorecard_change", args=[card.pk])
    response = client_for("province_policy").post(url, data)
    assert response.status_code == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", response.content.decode())
    assert card.indicators.get(indicator="coverage").weight == Decimal("55")
    # a county administrator cannot
    data["indicators-0-weight"] = "1"
    assert client_for("county_admin").post(url, data).status_code == 403


def test_city_user_sees_county_scores_and_records_a_spot_check(client_for, users):
    from reports.supervision.models import SpotCheck

    client = client_for("city_analyst")
    url = reverse("admin:supervision_scoreboard_changelist")
    html = client.get(url).content.decode()
    assert f'data-code="{COUNTY_CODE}"' in html
    assert "记录抽查" in html
    response = client.post(
        f"{url}?region=140100000000&period={YEAR}",
        {"region": COUNTY_CODE, "period": YEAR, "result": "rectify", "note": "抽查3个村，合同未进场"},
    )
    assert response.status_code == 302
    check = SpotCheck.objects.get(region_id=COUNTY_CODE)
    assert check.checked_by == users["city_analyst"] and check.result == "rectify"
    assert check.computed_score is not None
    assert "限期整改" in client.get(f"{url}?region=140100000000&period={YEAR}").content.decode()


def test_county_user_cannot_record_a_spot_check(client_for):
    from reports.supervision.models import SpotCheck

    url = reverse("admin:supervision_scoreboard_changelist")
    client = client_for("county_admin")
    assert "记录抽查" not in client.get(url).content.decode()
    client.post(url, {"region": TOWNSHIP_A.ljust(12, "0"), "period": YEAR, "result": "passed", "note": ""})
    assert not SpotCheck.objects.exists()
