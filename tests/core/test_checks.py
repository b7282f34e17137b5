"""The project's conventions fail `manage.py check` (core.E001–E003)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from unfold.admin import ModelAdmin

from backoffice.core.checks import check_record_types_registered
from backoffice.core.models import RecordModel
from backoffice.core.spec import SpecError, get_spec
from backoffice.regions.models import CollectiveOrg


@pytest.fixture
def clear_spec_cache():
    get_spec.cache_clear()
    yield
    get_spec.cache_clear()


def test_spec_naming_a_missing_field_fails_the_admin_check(monkeypatch, clear_spec_cache):
    class BrokenSpec:
        natural_key = ("credit_code",)
        list_display = ("name", "no_such_column")

    monkeypatch.setattr(CollectiveOrg, "Spec", BrokenSpec)
    errors = admin.site._registry[CollectiveOrg].check()
    assert [e.id for e in errors] == ["core.E002"]
    assert "no_such_column" in errors[0].msg


def test_missing_spec_and_unknown_attributes_are_reported(monkeypatch, clear_spec_cache):
    monkeypatch.delattr(CollectiveOrg, "Spec")
    with pytest.raises(SpecError, match="has no nested `class Spec`"):
        get_spec(CollectiveOrg)

    class Typo:
        natural_key = ("credit_code",)
        search_feilds = ("name",)

    monkeypatch.setattr(CollectiveOrg, "Spec", Typo, raising=False)
    get_spec.cache_clear()
    with pytest.raises(SpecError, match="unknown attributes: search_feilds"):
        get_spec(CollectiveOrg)


def test_hand_written_admin_for_a_scoped_model_fails_the_check(monkeypatch):
    monkeypatch.setitem(admin.site._registry, CollectiveOrg, ModelAdmin(CollectiveOrg, admin.site))
    assert "core.E001" in [e.id for e in check_record_types_registered()]


def test_unregistered_record_type_fails_the_check(monkeypatch):
    record_types = [m for m in apps.get_models() if issubclass(m, RecordModel)]
    if not record_types:
        pytest.skip("no record types yet")
    monkeypatch.delitem(admin.site._registry, record_types[0])
    errors = [e for e in check_record_types_registered() if e.id == "core.E003"]
    assert errors and record_types[0]._meta.label in errors[0].msg


def test_the_project_passes_its_own_checks():
    assert check_record_types_registered() == []
