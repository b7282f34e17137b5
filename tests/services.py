"""Services some tests need (Redis, Chromium …): skip with a reason for a newcomer, fail under CI."""

from __future__ import annotations

import os
import socket

import pytest


def service_missing(reason: str):
    """Skip for a newcomer without the service; under CI a missing service is a failure, never a skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
