"""What every admin page must not pay for (issue #8 item 7, the list latency under load): the full
application list is built only when a page shows it, and Unfold's templates find every attribute they read
on the model admin, the change list and the sidebar entries (a failed template lookup calls ``dir()`` on
the object: on a model admin, 6.6 ms of a 50-row page under cProfile)."""

from __future__ import annotations

import collections
import inspect

import pytest
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.views.main import ChangeList
from django.template import base as template_base

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/funds/cashjournal/"


@pytest.fixture
def app_list_builds(monkeypatch):
    calls = []
    original = AdminSite._build_app_dict

    def counting(self, request, label=None):
        calls.append(label)
        return original(self, request, label)

    monkeypatch.setattr(AdminSite, "_build_app_dict", counting)
    return calls


@pytest.fixture
def failed_lookups(monkeypatch):
    """(type of the object, attribute) of every template lookup that fell through to ``dir()``."""
    failures = collections.Counter()
    real_dir = dir

    def watching_dir(*args):
        frame = inspect.currentframe().f_back
        if args and frame is not None and frame.f_code.co_name == "_resolve_lookup":
            failures[(type(args[0]), frame.f_locals.get("bit"))] += 1
        return real_dir(*args)

    monkeypatch.setattr(template_base, "dir", watching_dir, raising=False)
    return failures


def test_list_page_does_not_build_the_application_list(client_for, app_list_builds):
    response = client_for("township_reviewer").get(LIST_URL)
    assert response.status_code == 200
    assert "现金日记账" in response.content.decode()  # the sidebar (core/navigation.py) is still there
    assert app_list_builds == []


def test_application_index_still_lists_its_models(client_for, app_list_builds):
    response = client_for("township_reviewer").get("/admin/funds/")
    assert response.status_code == 200
    assert "现金日记账" in response.content.decode()
    assert app_list_builds == ["funds"]


def test_available_apps_is_built_when_a_template_reads_it(rf, users):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = users["township_reviewer"]
    apps = admin.site.each_context(request)["available_apps"]
    labels = [app["app_label"] for app in apps]
    assert "funds" in labels and len(apps) == len(labels) > 0


@pytest.mark.parametrize("username", ["township_reviewer", "city_analyst"])
def test_list_page_template_lookups_do_not_fall_back_to_dir(client_for, failed_lookups, username):
    assert client_for(username).get(LIST_URL).status_code == 200
    expensive = {
        key: count
        for key, count in failed_lookups.items()
        if issubclass(key[0], ModelAdmin | ChangeList) or (key[0] is dict and key[1] != "HTTP_USER_AGENT")
    }
    assert expensive == {}
