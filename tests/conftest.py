"""Shared fixtures: the tiny demo (two real townships of 清徐县, three villages each, one user per role)
seeded once per session into the test database, and helpers to log in as a role."""

from __future__ import annotations

import os
import socket

import pytest
from django.core.management import call_command

TOWNSHIP_A = "140121100"  # 清源镇
TOWNSHIP_B = "140121101"  # 徐沟镇
COUNTY = "140121"


def service_missing(reason: str):
    """Skip for a newcomer without the service; under CI a missing service is a failure, never a skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", scale="tiny", seed=1, quiet=True)


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
