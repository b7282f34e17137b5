"""The generated changelists run a fixed number of queries however many rows a page shows: the foreign
keys a list displays (nullable ones and those their text names) are joined, not fetched row by row."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.core.models import RecordModel

pytestmark = pytest.mark.django_db
RECORD_TYPES = sorted(
    (m for m in admin.site._registry if issubclass(m, RecordModel)), key=lambda m: m._meta.label
)


def _queries(client, model) -> int:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("model", RECORD_TYPES, ids=lambda m: m._meta.label)
def test_a_changelist_page_costs_the_same_queries_for_2_rows_as_for_50(model, client_for, monkeypatch):
    client = client_for("city_analyst")
    model_admin = admin.site._registry[model]
    if model._default_manager.count() < 3:
        pytest.skip("fewer than 3 demo rows")
    monkeypatch.setattr(model_admin, "list_per_page", 2)
    _queries(client, model)  # warm the per-process caches (content types, permissions)
    small = _queries(client, model)
    monkeypatch.setattr(model_admin, "list_per_page", 50)
    assert _queries(client, model) == small


def test_the_row_checkbox_is_unfolds_own_markup_for_every_key(users):
    from django.contrib.admin import helpers
    from unfold.admin import checkbox

    from backoffice.funds.models import CashJournal

    model_admin = admin.site._registry[CashJournal]
    for row in CashJournal.objects.all()[:3]:
        assert model_admin.action_checkbox(row) == checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(row.pk))
    odd = CashJournal(pk=None)
    odd.pk = '7"&<'  # a key that needs escaping renders like Unfold renders it
    assert model_admin.action_checkbox(odd) == checkbox.render(helpers.ACTION_CHECKBOX_NAME, '7"&<')
