"""Every report's bottom-level cells drill to the permitted detail records: for each report definition that
names a detail record type, a village row's link is offered, the admin list accepts its filters (no
"invalid lookup" page, no missing link) and shows only rows of that village."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import RequestFactory

from reports.catalogue import REPORTS
from reports.engine import build_table
from reports.web.presenter import detail_url
from tests.conftest import TOWNSHIP_A, demo_village_org

pytestmark = pytest.mark.django_db

# The tiny demo's books cover 2024; the other modules are dated around today.
YEARS = [str(year) for year in range(2024, date.today().year + 1)]
DRILLING = sorted(code for code, d in REPORTS.items() if getattr(d, "detail_model", None))


@pytest.mark.parametrize("code", DRILLING)
def test_village_cell_drills_to_an_accepted_scoped_detail_list(code, users, client_for):
    user = users["county_admin"]
    client = client_for("county_admin")
    village_code = demo_village_org(TOWNSHIP_A).region_code  # a village that has demo records
    request = RequestFactory().get("/")
    request.user = user
    shown = 0
    for year in YEARS:
        table = build_table(code, region_code=TOWNSHIP_A + "000", period=year, user=user)
        village = next(r for r in table.rows if r.key == village_code)
        link = detail_url(REPORTS[code], village, table.period, request)
        assert link is not None, f"{code}: the admin list of {REPORTS[code].detail_model} refuses the filter"
        response = client.get(link)
        assert response.status_code == 200, f"{code} {year}: {link} → {response.status_code}"
        changelist = response.context["cl"]
        assert all(row.region_code == village_code for row in changelist.result_list)
        shown += changelist.result_count
    assert shown > 0, f"{code}: the village's detail lists are empty in every year {YEARS}"
