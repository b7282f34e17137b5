"""Every registered admin renders its changelist, add and change pages for a superuser and for scoped
users (generic over the registry)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from backoffice.core.scope import is_scoped_model
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db
REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_superuser_renders_changelist_add_and_change(model, client_for, users):
    from django.test import RequestFactory

    client = client_for("admin")
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = users["admin"]
    assert client.get(_url(model, "changelist")).status_code == 200
    try:
        add_url = _url(model, "add")
    except NoReverseMatch:
        add_url = None
    if add_url:
        assert client.get(add_url).status_code == (200 if model_admin.has_add_permission(request) else 403)
    obj = model._default_manager.first()
    if obj is not None:
        assert client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("username", ["village_bookkeeper", "township_reviewer", "county_admin", "auditor"])
@pytest.mark.parametrize("model", [m for m in REGISTERED if is_scoped_model(m)], ids=lambda m: m._meta.label)
def test_scoped_users_render_pages_they_are_allowed(model, username, client_for, users):
    client = client_for(username)
    user = users[username]
    opts = model._meta
    can_view = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    can_add = user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
    assert client.get(_url(model, "changelist")).status_code == (200 if can_view else 403)
    assert client.get(_url(model, "add")).status_code == (200 if can_add else 403)
    own = (
        model._default_manager.visible_to(user)
        .filter(**{f"{model.scope_field}__startswith": TOWNSHIP_A})
        .first()
    )
    if own is not None and can_view:
        assert client.get(_url(model, "change", own.pk)).status_code == 200


def test_dashboard_renders_for_every_demo_user(client_for, users):
    for username in users:
        response = client_for(username).get(reverse("admin:index"))
        assert response.status_code == 200, username
        assert "工作台" in response.content.decode()
