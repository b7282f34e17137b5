"""The role permission matrix (backoffice.accounts.roles): applied once per migrate (for the last app's
post_migrate, when every permission exists), and rebuilt identically from nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from backoffice.accounts.roles import Role, _last_migrated_app, sync_role_permissions

pytestmark = pytest.mark.django_db


def matrix() -> dict[str, set[tuple[str, str]]]:
    return {
        group.name: set(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.all()
    }


def test_post_migrate_of_an_earlier_app_does_nothing(django_assert_num_queries):
    earlier = next(c for c in apps.get_app_configs() if c.models_module is not None)
    assert earlier is not _last_migrated_app(apps)
    with django_assert_num_queries(0):
        sync_role_permissions(sender=earlier)


def test_one_migrate_rebuilds_the_same_matrix_from_nothing():
    before = matrix()
    assert before[Role.TOWNSHIP_REVIEWER.label], "the demo roles have permissions"
    Group.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert matrix() == before


def test_township_reviewer_may_change_but_not_delete_contracts_and_a_city_analyst_only_views():
    reviewer = matrix()[Role.TOWNSHIP_REVIEWER.label]
    analyst = matrix()[Role.CITY_ANALYST.label]
    assert {("contracts", "view_contract"), ("contracts", "change_contract")} <= reviewer
    assert ("contracts", "delete_contract") not in reviewer
    assert ("contracts", "view_contract") in analyst and ("contracts", "change_contract") not in analyst
