"""The changelist paginator counts ordinary lists exactly and shows very large ones with the database's
estimate, marked as approximate; a page past an estimated end is empty, not an error."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.urls import reverse

from backoffice.core import paginator as paginator_module
from backoffice.core.paginator import EstimatedCountPaginator, planner_estimate
from backoffice.labour.models import Timesheet
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:labour_timesheet_changelist"


def _paginator(queryset, exact_limit: int) -> EstimatedCountPaginator:
    paginator = EstimatedCountPaginator(queryset.order_by("-pk"), 50)
    paginator.exact_limit = exact_limit
    return paginator


def test_a_list_up_to_the_limit_is_counted_exactly():
    rows = Timesheet.objects.all()
    paginator = _paginator(rows, exact_limit=rows.count())
    assert paginator.count == rows.count() > 50
    assert not paginator.estimated


def test_a_filtered_list_is_counted_exactly():
    rows = Timesheet.objects.filter(region_code__startswith=TOWNSHIP_A, labour_days__gte=1)
    paginator = _paginator(rows, exact_limit=paginator_module.EXACT_LIMIT)
    assert paginator.count == rows.count() > 0
    assert not paginator.estimated


def test_a_list_past_the_limit_takes_the_planners_estimate_never_below_the_limit(monkeypatch):
    monkeypatch.setattr(paginator_module, "planner_estimate", lambda queryset: 7)
    paginator = _paginator(Timesheet.objects.all(), exact_limit=100)
    assert paginator.estimated is False
    assert paginator.count == 101  # the estimate (7) is below the rows already seen: the limit + 1
    assert paginator.estimated


def test_without_an_estimate_the_list_is_counted_exactly(monkeypatch):
    monkeypatch.setattr(paginator_module, "planner_estimate", lambda queryset: None)
    paginator = _paginator(Timesheet.objects.all(), exact_limit=100)
    assert paginator.count == Timesheet.objects.count()
    assert not paginator.estimated


def test_a_page_past_an_estimated_end_is_empty_not_an_error(monkeypatch):
    total = Timesheet.objects.count()
    monkeypatch.setattr(paginator_module, "planner_estimate", lambda queryset: total + 500)
    paginator = _paginator(Timesheet.objects.all(), exact_limit=100)
    last = paginator.num_pages
    assert list(paginator.page(last).object_list) == []
    assert len(paginator.page(1).object_list) == 50
    with pytest.raises(EmptyPage):
        paginator.page(0)
    exact = _paginator(Timesheet.objects.all(), exact_limit=total)
    with pytest.raises(EmptyPage):
        exact.page(exact.num_pages + 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_postgresql_gives_a_positive_estimate_without_counting():
    estimate = planner_estimate(Timesheet.objects.filter(region_code__startswith="14"))
    assert isinstance(estimate, int) and estimate > 0


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no planner estimate")
def test_sqlite_has_no_estimate():
    assert planner_estimate(Timesheet.objects.all()) is None


def test_the_changelist_marks_an_estimated_count_as_approximate(monkeypatch, client_for):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 100)
    monkeypatch.setattr(paginator_module, "planner_estimate", lambda queryset: 123_456)
    response = client_for("city_analyst").get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 123_456
    html = response.content.decode()
    assert "约 123456 条结果" in html  # the header
    assert html.count("约 123456") == 2  # … and the line under the pages


def test_the_changelist_of_an_ordinary_list_shows_the_exact_count(client_for):
    response = client_for("township_reviewer").get(reverse(CHANGELIST))
    changelist = response.context["cl"]
    expected = Timesheet.objects.filter(region_code__startswith=TOWNSHIP_A).count()
    assert changelist.result_count == expected and not changelist.paginator.estimated
    assert f"约 {expected:,}" not in response.content.decode()


def test_over_an_estimated_list_the_date_drill_down_waits_for_a_narrower_list(monkeypatch, client_for):
    client = client_for("city_analyst")
    assert client.get(reverse(CHANGELIST)).context["cl"].date_hierarchy == "work_date"
    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 100)
    monkeypatch.setattr(paginator_module, "planner_estimate", lambda queryset: 123_456)
    assert client.get(reverse(CHANGELIST)).context["cl"].date_hierarchy is None
    year = Timesheet.objects.values_list("work_date", flat=True).first().year
    chosen = client.get(reverse(CHANGELIST), {"work_date__year": year}).context["cl"]
    assert chosen.date_hierarchy == "work_date"
