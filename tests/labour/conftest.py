"""Fixtures of the 集体用工 tests: an organisation, an engagement paid by the day and a worker."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

MALE_ID = "110105194912310011"  # 17th digit 1: male
FEMALE_ID = "11010519491231002X"  # 17th digit 2: female


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
def engagement(org):
    from backoffice.labour.models import LabourEngagement

    return LabourEngagement.objects.create(
        org=org,
        engagement_no="T-YG-001",
        name="测试道路维修",
        work_type="普工",
        engagement_type="temporary",
        start_date=date(2024, 3, 1),
        end_date=date(2024, 6, 30),
        rate=Decimal("150.00"),
        rate_unit="per_day",
        planned_days=Decimal("100"),
    )


@pytest.fixture
def worker(org):
    from backoffice.labour.models import Worker

    return Worker.objects.create(
        org=org, name="测试工人", id_no=MALE_ID, gender="male", bank_card="6217000012345678901"
    )
