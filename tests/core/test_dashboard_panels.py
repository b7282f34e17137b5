"""The dashboard collects panels from installed apps' ``dashboard_panels.PANELS`` without the core
knowing those apps; a panel returning None is hidden, and panels are ordered."""

from __future__ import annotations

import sys
import types

import pytest
from django.template import engines

pytestmark = pytest.mark.django_db

PANEL_TEMPLATE = "tests_dashboard_panel.html"


@pytest.fixture
def panel_module(monkeypatch, settings):
    """A fake ``dashboard_panels`` module for the core app, and an in-memory template for it."""
    module = types.ModuleType("backoffice.core.dashboard_panels")
    module.PANELS = [
        lambda request: {"title": "第二块", "template": PANEL_TEMPLATE, "order": 20, "value": "乙-42"},
        lambda request: None,
        lambda request: {
            "title": "第一块",
            "template": PANEL_TEMPLATE,
            "order": 10,
            "value": request.user.username,
        },
    ]
    monkeypatch.setitem(sys.modules, "backoffice.core.dashboard_panels", module)
    loaders = [
        (
            "django.template.loaders.locmem.Loader",
            {PANEL_TEMPLATE: "<p>[{{ panel.title }}:{{ panel.value }}]</p>"},
        )
    ]
    engine = engines["django"].engine
    original = engine.template_loaders
    engine.template_loaders = [*engine.get_template_loaders(loaders), *original]
    yield module
    engine.template_loaders = original


def test_panels_render_in_order_and_none_is_hidden(panel_module, client_for):
    html = client_for("county_admin").get("/admin/").content.decode()
    first, second = html.find("[第一块:county_admin]"), html.find("[第二块:乙-42]")
    assert first != -1 and second != -1
    assert first < second
    assert html.count("<p>[") == 2


def test_without_panels_the_dashboard_still_renders(client_for):
    response = client_for("county_admin").get("/admin/")
    assert response.status_code == 200
    assert "工作台" in response.content.decode()
