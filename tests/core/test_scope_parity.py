"""Scope on the write side and by URL, for every registered region-scoped type (generic: record types
added later are covered without editing this file). Read-path parity is in test_permission_parity.py."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from backoffice.core.scope import is_scoped_model
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

SCOPED = sorted((m for m in admin.site._registry if is_scoped_model(m)), key=lambda m: m._meta.label)
pytestmark = pytest.mark.django_db


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _rows(model, prefix: str):
    return model._default_manager.filter(**{f"{model.scope_field}__startswith": prefix})


def test_every_scoped_type_has_demo_rows_in_both_townships():
    for model in SCOPED:
        assert _rows(model, TOWNSHIP_A).exists(), f"{model._meta.label}: no demo rows in township A"
        assert _rows(model, TOWNSHIP_B).exists(), f"{model._meta.label}: no demo rows in township B"


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_neighbour_rows_are_404_by_url(model, client_for):
    client = client_for("township_reviewer")
    foreign = _rows(model, TOWNSHIP_B).first()
    own = _rows(model, TOWNSHIP_A).first()
    for view in ("change", "history"):
        assert client.get(_url(model, view, foreign.pk)).status_code == 404, view
    # 403 where the role may not delete at all, 404 where it may but the row is outside scope
    assert client.get(_url(model, "delete", foreign.pk)).status_code in (403, 404)
    assert client_for("village_bookkeeper").get(_url(model, "delete", foreign.pk)).status_code in (403, 404)
    assert client.get(_url(model, "change", own.pk)).status_code == 200
    assert client.post(_url(model, "change", foreign.pk), {}).status_code in (403, 404)


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_foreign_key_choices_and_autocomplete_stay_in_scope(model, client_for, users):
    from django.test import RequestFactory

    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = users["township_reviewer"]
    client = client_for("township_reviewer")
    for field in model._meta.concrete_fields:
        related = getattr(field, "related_model", None)
        if not field.is_relation or related is None or not is_scoped_model(related):
            continue
        formfield = model_admin.formfield_for_foreignkey(field, request)
        codes = {getattr(obj, related.scope_field) for obj in formfield.queryset}
        assert codes and all(code.startswith(TOWNSHIP_A) for code in codes), field.name
        if field.name in model_admin.autocomplete_fields:
            response = client.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field.name,
                },
            )
            assert response.status_code == 200
            ids = {str(item["id"]) for item in response.json()["results"]}
            allowed = {str(pk) for pk in _rows(related, TOWNSHIP_A).values_list("pk", flat=True)}
            assert ids and ids <= allowed, field.name
