"""Shared fixtures: the tiny demo (two real townships of 清徐县, three villages each, one user per role)
seeded once per session into the test database, and helpers to log in as a role."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.services import port_open, service_missing  # noqa: F401  (re-exported for test modules)

TOWNSHIP_A = "140121100"  # 清源镇
TOWNSHIP_B = "140121101"  # 徐沟镇
COUNTY = "140121"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", scale="tiny", seed=1, quiet=True)
        # Alerts are a scoped type: evaluate the rules once, as `make demo` does, so that the generic
        # scope and permission-parity tests find alerts in both demo townships.
        call_command("evaluate_rules", stdout=io.StringIO())


@pytest.fixture
def users(db):
    from backoffice.accounts.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for(client, users):
    """client_for("township_reviewer") → a test client logged in as that demo user."""

    def make(username: str):
        from django.test import Client

        c = Client()
        c.force_login(users[username])
        return c

    return make


def demo_village_org(prefix: str):
    """The first village-level demo organisation under a township prefix."""
    from backoffice.regions.models import CollectiveOrg

    return (
        CollectiveOrg.objects.filter(region_code__startswith=prefix)
        .exclude(region_code__endswith="000")
        .order_by("region_code")
        .first()
    )


@pytest.fixture
def org_a(db):
    """A village organisation in township A (the township reviewer's)."""
    return demo_village_org(TOWNSHIP_A)


@pytest.fixture
def org_b(db):
    """A village organisation in the neighbouring township B."""
    return demo_village_org(TOWNSHIP_B)


# One Chromium per test worker for every browser test (tests/browser.py).
from tests.browser import browser, demo_live_server, page_as  # noqa: E402,F401
