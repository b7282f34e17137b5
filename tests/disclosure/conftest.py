"""Fixtures of the 财务公开 tests: one demo village organisation in each demo township."""

from __future__ import annotations

import pytest

from tests.conftest import TOWNSHIP_A, TOWNSHIP_B


def _village(prefix: str):
    from backoffice.regions.models import CollectiveOrg

    return (
        CollectiveOrg.objects.filter(region_code__startswith=prefix)
        .exclude(region_code__endswith="000")
        .order_by("region_code")
        .first()
    )


@pytest.fixture
def org_a(db):
    return _village(TOWNSHIP_A)


@pytest.fixture
def org_b(db):
    return _village(TOWNSHIP_B)
