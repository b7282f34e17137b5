"""Fixtures of the 一事一议 tests: a proposed project in township A (the township reviewer's scope)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import TOWNSHIP_A, TOWNSHIP_B


def village_org(prefix: str):
    from backoffice.regions.models import CollectiveOrg

    return (
        CollectiveOrg.objects.filter(region_code__startswith=prefix, parent_org__isnull=False)
        .order_by("pk")
        .first()
    )


@pytest.fixture
def org(db):
    return village_org(TOWNSHIP_A)


@pytest.fixture
def other_org(db):
    return village_org(TOWNSHIP_B)


def make_project(org, **overrides):
    from backoffice.levies.models import LevyProject

    # 2030: a year no demo project uses, so the yearly cap sums start empty
    values = dict(
        org=org,
        project_no="T-YSYY-01",
        name="测试道路硬化",
        project_type="road",
        proposed_on=date(2030, 3, 1),
        budget=Decimal("200000"),
        money_standard=Decimal("15"),
        contributors=800,
        substitute_rate=Decimal("80"),
        fiscal_reward=Decimal("150000"),
    )
    values.update(overrides)
    return LevyProject.objects.create(**values)


@pytest.fixture
def project(org):
    return make_project(org)
