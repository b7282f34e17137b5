"""Permission parity: the rows a user can reach through each read path must equal the rows of their
scope, computed here independently of the application's own scoping code (a prefix match on the
region code of the user's scope region). Used by the generic parity tests; new read paths (reports,
alert queue, public pages, API) add a function to READ_PATHS and are then checked for every type."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse

SIGNIFICANT = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def expected_pks(model: type[models.Model], user) -> set:
    """The oracle: rows whose region code starts with the significant digits of the user's region."""
    if user.is_superuser:
        return set(model._default_manager.values_list("pk", flat=True))
    region = user.scope_region
    prefix = region.code[: SIGNIFICANT[region.level]]
    return set(
        model._default_manager.filter(**{f"{model.scope_field}__startswith": prefix}).values_list(
            "pk", flat=True
        )
    )


def _url(site: str, model, view: str, *args) -> str:
    return reverse(f"{site}:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def via_changelist(client: Client, model, site: str = "admin") -> set:
    response = client.get(_url(site, model, "changelist"))
    if response.status_code == 403:
        return set()
    assert response.status_code == 200, response.status_code
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def change_view_sample(model, user, per_side: int = 3) -> set:
    """A few rows inside the user's scope and a few outside it (first and last by key)."""
    inside = parity_sorted(expected_pks(model, user))
    outside = parity_sorted(set(model._default_manager.values_list("pk", flat=True)) - set(inside))
    pick = lambda pks: set(pks[:per_side] + pks[-per_side:])  # noqa: E731
    return pick(inside) | pick(outside)


def parity_sorted(pks) -> list:
    return sorted(pks, key=str)


def via_change_view(client: Client, model, candidates: set, site: str = "admin") -> set:
    """Those candidate rows whose change page opens (200)."""
    return {pk for pk in candidates if client.get(_url(site, model, "change", pk)).status_code == 200}


def export_row_count(client: Client, model, site: str = "admin") -> int:
    """Data rows in the admin's xlsx export of the unfiltered list (compared with the oracle's count)."""
    model_admin = admin.site._registry[model]
    formats = [f().get_title() for f in model_admin.get_export_formats()]
    try:
        url = _url(site, model, "export")
    except NoReverseMatch:
        return 0
    response = client.post(url, {"format": str(formats.index("xlsx")), "resource": "0"})
    if response.status_code == 403:
        return 0
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    return sum(1 for r in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r))


def via_autocomplete(client: Client, model, site: str = "admin") -> set:
    """Rows offered by autocomplete for every registered foreign key that points at ``model``."""
    found = set()
    for source, source_admin in admin.site._registry.items():
        for field_name in getattr(source_admin, "autocomplete_fields", ()):
            field = source._meta.get_field(field_name)
            if field.related_model is not model:
                continue
            page = 1
            while True:
                response = client.get(
                    reverse(f"{site}:autocomplete"),
                    {
                        "app_label": source._meta.app_label,
                        "model_name": source._meta.model_name,
                        "field_name": field_name,
                        "page": page,
                    },
                )
                if response.status_code == 403:
                    break
                payload = response.json()
                found |= {model._meta.pk.to_python(item["id"]) for item in payload["results"]}
                if not payload["pagination"]["more"]:
                    break
                page += 1
    return found


def autocomplete_targets() -> set:
    """Models that some registered admin offers through autocomplete."""
    return {
        source._meta.get_field(name).related_model
        for source, source_admin in admin.site._registry.items()
        for name in getattr(source_admin, "autocomplete_fields", ())
    }


#: read paths returning primary keys, each compared with the oracle by the parity tests
READ_PATHS: dict[str, Callable[..., set]] = {
    "changelist": via_changelist,
    "change_view": via_change_view,
    "autocomplete": via_autocomplete,
}
