"""Browser-test harness (a pytest plugin loaded by tests/conftest.py, so that one Chromium serves every
browser test of a worker): Playwright drives Debian's Chromium (no browser download) headless against a
live server running the real admin. Without Chromium the tests skip (fail under CI=true)."""

from __future__ import annotations

import os
import shutil

import pytest
from django.core.management import call_command

from tests.services import service_missing

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        service_missing("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def demo_live_server(live_server, transactional_db):
    """A live server over the tiny demo (transactional tests flush the database, so seed again)."""
    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    return live_server


@pytest.fixture
def page_as(browser, demo_live_server):
    """page_as("township_reviewer") → a Playwright page logged in through the real login form."""
    contexts = []

    def login(username: str):
        from backoffice.core.demo import DEMO_PASSWORD

        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{demo_live_server.url}/admin/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(f"{demo_live_server.url}/admin/")
        return page

    yield login
    for context in contexts:
        context.close()
