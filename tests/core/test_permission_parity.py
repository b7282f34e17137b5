"""Permission parity for every registered region-scoped type, every role level and every read path;
and proof that the detector catches a deliberately unscoped admin."""

from __future__ import annotations

import pytest
from django.contrib import admin

from backoffice.core.scope import is_scoped_model
from tests import parity

pytestmark = pytest.mark.django_db
SCOPED = sorted((m for m in admin.site._registry if is_scoped_model(m)), key=lambda m: m._meta.label)
#: one user per scope level below the province (the demo lies inside one city, so province users and
#: superusers see what the city analyst sees)
USERS = ["village_bookkeeper", "township_reviewer", "county_admin", "city_analyst"]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_every_read_path_returns_exactly_the_users_scope(model, username, client_for, users):
    user = users[username]
    client = client_for(username)
    can_view = admin.site._registry[model].has_view_or_change_permission(type("R", (), {"user": user})())
    expected = parity.expected_pks(model, user) if can_view else set()

    assert parity.via_changelist(client, model) == expected
    candidates = parity.change_view_sample(model, user)
    assert parity.via_change_view(client, model, candidates) == expected & candidates
    assert parity.export_row_count(client, model) == len(expected)
    if model in parity.autocomplete_targets():
        assert parity.via_autocomplete(client, model) == parity.expected_pks(model, user)


@pytest.mark.urls("tests.core.leaky_urls")
def test_the_detector_catches_an_unscoped_admin(client_for, users):
    from backoffice.regions.models import CollectiveOrg

    client = client_for("township_reviewer")
    leaked = parity.via_changelist(client, CollectiveOrg, site="leaky")
    expected = parity.expected_pks(CollectiveOrg, users["township_reviewer"])
    assert leaked != expected and leaked > expected
    candidates = parity.change_view_sample(CollectiveOrg, users["township_reviewer"])
    assert parity.via_change_view(client, CollectiveOrg, candidates, site="leaky") - expected
