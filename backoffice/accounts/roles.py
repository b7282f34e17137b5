"""Roles (DESIGN.md §3): Django groups named by their Chinese label, one per ``Role`` code.

Model permissions are granted from a matrix, so record types added later get the right permissions
after ``migrate`` without editing this file.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Role(models.TextChoices):
    VILLAGE_BOOKKEEPER = "village_bookkeeper", "村级报账员"
    TOWNSHIP_REVIEWER = "township_reviewer", "乡镇农经专岗"
    COUNTY_ADMIN = "county_admin", "县级管理员"
    CITY_ANALYST = "city_analyst", "市级分析员"
    PROVINCE_POLICY = "province_policy", "省级政策管理员"
    SUPERVISOR = "supervisor", "监督员"
    TRADING_OFFICER = "trading_officer", "产权交易专员"
    AUDITOR = "auditor", "审计员（只读）"


#: which model actions each role gets on region-scoped data (record types, organisations)
RECORD_ACTIONS: dict[Role, tuple[str, ...]] = {
    Role.VILLAGE_BOOKKEEPER: ("view", "add", "change", "delete"),
    Role.TOWNSHIP_REVIEWER: ("view", "add", "change"),
    Role.COUNTY_ADMIN: ("view", "add", "change", "delete"),
    Role.CITY_ANALYST: ("view",),
    Role.PROVINCE_POLICY: ("view",),
    Role.SUPERVISOR: ("view",),
    Role.TRADING_OFFICER: ("view",),
    Role.AUDITOR: ("view",),
}

#: extra permissions on reference data and administration, by role
EXTRA_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_ADMIN: (
        "regions.view_region",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "core.reveal_sensitive",
        "core.view_reveallog",
        "auditlog.view_logentry",
        "trading.manage_trading",
        # REST API clients of their county (issue 10; the admin limits them to the user's scope)
        "imports.view_apiclient",
        "imports.add_apiclient",
        "imports.change_apiclient",
        "imports.view_apitoken",
        "imports.change_apitoken",
        "imports.view_apirequestlog",
    ),
    Role.PROVINCE_POLICY: ("regions.view_region", "regions.add_region", "regions.change_region"),
    Role.TOWNSHIP_REVIEWER: ("regions.view_region", "core.reveal_sensitive", "trading.review_listing"),
    Role.VILLAGE_BOOKKEEPER: ("regions.view_region",),
    Role.CITY_ANALYST: ("regions.view_region",),
    Role.SUPERVISOR: ("regions.view_region",),
    # The county trading institution: accepts, announces and runs trading; the services check the state
    # machine's role rules on top of these model permissions.
    Role.TRADING_OFFICER: (
        "regions.view_region",
        "trading.manage_trading",
        "trading.change_listing",
        "trading.add_listingattachment",
        "trading.add_registration",
        "trading.change_registration",
        "trading.add_certificateprint",
    ),
    Role.AUDITOR: (
        "regions.view_region",
        "accounts.view_user",
        "django_q.view_schedule",
        "core.view_reveallog",
        "auditlog.view_logentry",
        "imports.view_apiclient",
        "imports.view_apirequestlog",
    ),
}


def sync_role_permissions(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Create the role groups and grant their permissions on every region-scoped model (idempotent).

    Connected to ``post_migrate``, which Django sends once per installed app: the matrix is applied only
    for the last app (every app's permissions exist by then), not 30 times per migrate or test flush.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from backoffice.core.scope import is_scoped_model

    if not apps.is_installed("django.contrib.auth"):
        return
    if sender is not None and sender is not _last_migrated_app(apps):
        return
    # Region itself is reference data, granted through EXTRA_PERMISSIONS.
    scoped = [m for m in apps.get_models() if is_scoped_model(m) and m._meta.label != "regions.Region"]
    reference = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("backoffice.")
        and not is_scoped_model(m)
        and m._meta.app_label not in {"accounts", "core", "regions"}
    ]
    content_types = ContentType.objects.db_manager(using).get_for_models(*scoped, *reference)
    # every permission once: (app label, codename) → pk, and (content type, codename) → pk
    by_type: dict[tuple[int, str], int] = {}
    by_label: dict[tuple[str, str], int] = {}
    for pk, type_id, app_label, codename in Permission.objects.using(using).values_list(
        "pk", "content_type_id", "content_type__app_label", "codename"
    ):
        by_type[(type_id, codename)] = pk
        by_label[(app_label, codename)] = pk
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.label)
        wanted: set[int] = set()
        for model in scoped:
            type_id = content_types[model].pk
            for action in RECORD_ACTIONS[role]:
                wanted.add(by_type.get((type_id, f"{action}_{model._meta.model_name}")))
        # Reference data of the modules (charts, subsidy programmes, task templates…): readable by all.
        for model in reference:
            wanted.add(by_type.get((content_types[model].pk, f"view_{model._meta.model_name}")))
        for dotted in EXTRA_PERMISSIONS.get(role, ()):
            wanted.add(by_label.get(tuple(dotted.split("."))))
        wanted.discard(None)
        group.permissions.add(*wanted)


def _last_migrated_app(apps):
    """The app config Django sends the last ``post_migrate`` for (apps with models, in settings order)."""
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]
