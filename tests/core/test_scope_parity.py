"""Scope on every read path, for every registered region-scoped type (generic: record types added
later are covered without editing this file)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from backoffice.core.scope import is_scoped_model
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

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
def test_township_user_lists_exactly_their_township(model, client_for):
    response = client_for("township_reviewer").get(_url(model, "changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert listed == set(_rows(model, TOWNSHIP_A).values_list("pk", flat=True))


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_county_user_lists_all_townships(model, client_for):
    response = client_for("county_admin").get(_url(model, "changelist"))
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert listed == set(_rows(model, COUNTY).values_list("pk", flat=True))
    assert _rows(model, TOWNSHIP_B).filter(pk__in=listed).exists()


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


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_export_contains_only_rows_in_scope(model, client_for):
    model_admin = admin.site._registry[model]
    formats = [f().get_title() for f in model_admin.get_export_formats()]
    response = client_for("township_reviewer").post(
        _url(model, "export"), {"format": str(formats.index("xlsx")), "resource": "0"}
    )
    assert response.status_code == 200, response.content[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    data_rows = [
        row for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)
    ]
    assert len(data_rows) == _rows(model, TOWNSHIP_A).count()
