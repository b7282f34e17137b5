"""The dashboard (工作台) panel of the five real-time statistics S1–S5, for the user's own scope."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from backoffice.regions.models import Region
from reports.catalogue import REPORTS
from reports.dashboard_panels import STATISTICS, statistic_period
from reports.engine import build_table
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def card_html(html: str, code: str) -> str:
    return html.split(f'data-code="{code}"')[1].split('class="statistic-card"')[0]


@pytest.mark.parametrize(
    ("username", "region"), [("county_admin", COUNTY + "000000"), ("township_reviewer", TOWNSHIP_A + "000")]
)
def test_dashboard_shows_the_five_statistics_for_the_users_scope(client_for, users, username, region):
    response = client_for(username).get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="statistics-panel"' in html and "五项实时统计" in html
    for code in STATISTICS:
        definition = REPORTS[code]
        card = card_html(html, code)
        assert definition.label in card
        table = build_table(
            code, region_code=region, period=statistic_period(definition, date.today()), user=users[username]
        )
        first = table.columns[0]
        if table.units_included:
            assert table.display(table.total, first) in card  # the card's total is the table's total
        else:  # nobody reported this period yet: say so rather than show zeros
            assert "暂无已审核数据" in card
        assert f"region={region}" in card  # the card opens the full report for the same region


def test_dashboard_charts_child_regions_inside_the_scope_only(client_for):
    html = client_for("township_reviewer").get(reverse("admin:index")).content.decode()
    panel = html.split('id="statistics-panel"')[1]
    assert 'data-type="bar"' in panel
    other = Region.objects.get(code=TOWNSHIP_B + "000").name
    assert other not in panel
    villages_b = Region.objects.filter(code__startswith=TOWNSHIP_B, level=5).values_list("name", flat=True)
    assert not any(name in panel for name in villages_b)


def test_dashboard_panel_is_hidden_for_staff_without_scope(client, django_user_model):
    user = django_user_model.objects.create_user("noscope", password="x", is_staff=True)
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="statistics-panel"' not in html


def test_dashboard_builds_one_table_per_statistic(client_for, monkeypatch):
    import reports.engine

    calls = []
    original = reports.engine.build_table

    def counting(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("report_code"))
        return original(*args, **kwargs)

    monkeypatch.setattr(reports.engine, "build_table", counting)
    client_for("county_admin").get(reverse("admin:index"))
    assert sorted(calls) == sorted(STATISTICS)
    assert re.fullmatch(r"S\d", calls[0])
