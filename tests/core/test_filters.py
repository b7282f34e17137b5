"""The region-level dropdowns of every scoped list: choices inside the user's scope and under the higher
level already chosen, read with one bounded query; choosing narrows the rows by code prefix."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.core import filters
from backoffice.funds.models import CashJournal
from backoffice.regions.models import Region
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


def _choices(user, level: int, **params) -> list[tuple[str, str]]:
    request = RequestFactory().get("/", params)
    request.user = user
    flt = filters._FILTERS[level](request, dict(request.GET.lists()), CashJournal, None)
    return flt.lookup_choices


def test_a_county_user_is_offered_the_townships_of_their_county_only(users):
    codes = {code for code, _name in _choices(users["county_admin"], 4)}
    expected = set(Region.objects.filter(level=4, code__startswith=COUNTY).values_list("code", flat=True))
    assert codes == expected and codes


def test_choosing_a_township_narrows_the_village_choices_to_it(users):
    village_codes = {code for code, _ in _choices(users["county_admin"], 5, township=TOWNSHIP_A + "000")}
    expected = set(Region.objects.filter(level=5, code__startswith=TOWNSHIP_A).values_list("code", flat=True))
    assert village_codes == expected and village_codes


def test_a_level_with_too_many_regions_waits_for_a_higher_choice_reading_one_bounded_query(
    users, monkeypatch
):
    villages = Region.objects.filter(level=5, code__startswith=COUNTY).count()
    monkeypatch.setattr(filters, "MAX_CHOICES", villages - 1)
    with CaptureQueriesContext(connection) as captured:
        assert _choices(users["county_admin"], 5) == []
    assert len(captured.captured_queries) == 1
    assert "LIMIT" in captured.captured_queries[0]["sql"].upper()
    assert _choices(users["county_admin"], 5, township=TOWNSHIP_A + "000")  # narrowed: offered again


def test_choosing_a_village_lists_only_its_rows(client_for):
    village = CashJournal.objects.filter(region_code__startswith=TOWNSHIP_A).first().region_code
    response = client_for("county_admin").get(
        reverse("admin:funds_cashjournal_changelist"), {"village": village}
    )
    rows = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert rows == set(CashJournal.objects.filter(region_code=village).values_list("pk", flat=True)) != set()


@pytest.mark.parametrize("selected", ["", "140121100000", "<b>&"])
def test_inline_option_select_renders_unfolds_markup(selected):
    """The region dropdown writes its options inline (one template instead of two per option); the page
    must not change: same markup as Unfold's select for the same choices, escaping included."""
    import re

    from unfold.contrib.filters.forms import DropdownForm

    choices = [
        ("", "全部"),
        ("140121100000", "清源镇"),
        ("140121101000", "徐沟镇"),
        ("<b>&", "<i>“引号”&</i>"),
    ]

    def render(form_class) -> str:
        form = form_class(label="按乡镇", name="township", choices=choices, data={"township": selected})
        return re.sub(r"\s+", " ", str(form["township"])).replace("> <", "><").strip()

    ours, unfolds = render(filters.RegionDropdownForm), render(DropdownForm)
    assert ours == unfolds
    assert ours.count("<option") == len(choices)
    assert "<i>" not in ours  # labels are escaped
    if selected:
        assert ours.count(" selected") == 1


@pytest.mark.parametrize("username", ["admin", "city_analyst", "township_reviewer", "village_bookkeeper"])
def test_period_filter_offers_the_same_values_as_django_reading_the_index_value_by_value(users, username):
    """科目余额's period filter steps through the (period, account) index instead of a DISTINCT over every
    row in scope: same choices as Django's all-values filter, one probe per value."""
    from django.contrib import admin
    from django.contrib.admin import AllValuesFieldListFilter

    from backoffice.accounting.models import PeriodBalance

    model_admin = admin.site._registry[PeriodBalance]
    assert ("period", filters.LeadingIndexValuesFilter) in model_admin.list_filter
    request = RequestFactory().get("/")
    request.user = users[username]
    field = PeriodBalance._meta.get_field("period")
    args = (field, request, {}, PeriodBalance, model_admin, "period")
    expected = list(AllValuesFieldListFilter(*args).lookup_choices)
    with CaptureQueriesContext(connection) as queries:
        offered = filters.LeadingIndexValuesFilter(*args).lookup_choices
    assert offered == expected and len(expected) > 1
    assert len(queries) == len(expected) + 1  # the first value, then one "next value" probe each
    assert not any("DISTINCT" in q["sql"] for q in queries)


def test_only_fields_that_lead_an_index_get_the_probing_filter():
    from backoffice.accounting.models import PeriodBalance, Voucher

    assert filters.leads_an_index(PeriodBalance, "period")
    assert not filters.leads_an_index(Voucher, "period")  # no index starts with it: Django's DISTINCT
