"""Fixtures of the 债权债务 tests: a village organisation in each demo township and counterparties."""

from __future__ import annotations

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


@pytest.fixture
def household(org):
    from backoffice.debts.models import Counterparty

    return Counterparty.objects.create(
        org=org, kind="member_household", name="测试户王建国", id_or_code="11010519491231002X"
    )


@pytest.fixture
def bank(org):
    from backoffice.debts.models import Counterparty

    return Counterparty.objects.create(
        org=org, kind="unit", name="测试农村信用社", id_or_code="91110000600037341L"
    )
