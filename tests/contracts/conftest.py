"""Fixtures of the contracts tests."""

from __future__ import annotations

import pytest

from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A


@pytest.fixture
def org():
    """A village organisation of demo township A (inside the township reviewer's scope)."""
    return (
        CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A)
        .exclude(region_code__endswith="000")
        .first()
    )
