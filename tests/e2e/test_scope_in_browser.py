"""A township reviewer logs in, sees only their township's organisations, and cannot open a
neighbour's by URL (headless Chromium against the real admin)."""

from __future__ import annotations

import pytest

from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_reviewer_sees_only_their_township(page_as, demo_live_server):
    page = page_as("township_reviewer")
    assert "工作台" in page.content()
    page.goto(f"{demo_live_server.url}/admin/regions/collectiveorg/")
    rows = page.locator("#result_list tbody tr")
    own = list(
        CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A).values_list("name", flat=True)
    )
    foreign = list(
        CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_B).values_list("name", flat=True)
    )
    assert rows.count() == len(own)
    text = page.locator("#result_list").inner_text()
    assert all(name in text for name in own)
    assert not any(name in text for name in foreign)

    neighbour = CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_B).first()
    response = page.goto(f"{demo_live_server.url}/admin/regions/collectiveorg/{neighbour.pk}/change/")
    assert response.status == 404
    assert neighbour.name not in page.content()
