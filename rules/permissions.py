"""Permissions of the rules app by role (the role groups are named by their Chinese label).

Everyone with a role reads alerts, their history, rule versions and the evaluation ledger; reviewers,
county staff, supervisors and village bookkeepers handle alerts; province policy staff (and county
admins for their county) set params.
"""

from __future__ import annotations

from typing import Any

from backoffice.accounts.roles import Role

READ = (
    "view_alert",
    "view_alertevent",
    "view_ruleversion",
    "view_rule",
    "view_paramoverride",
    "view_evaluationrun",
    "view_paramchangerequest",
)
HANDLE = ("change_alert",)
PARAMS = (
    "add_paramoverride",
    "change_paramoverride",
    "add_ruleversion",
    "change_ruleversion",
    "change_rule",
    "add_paramchangerequest",
    "change_paramchangerequest",
)

RULES_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.VILLAGE_BOOKKEEPER: READ + HANDLE,
    Role.TOWNSHIP_REVIEWER: READ + HANDLE,
    Role.COUNTY_ADMIN: READ + HANDLE + PARAMS,
    Role.CITY_ANALYST: READ,
    Role.PROVINCE_POLICY: READ + PARAMS,
    Role.SUPERVISOR: READ + HANDLE,
    Role.TRADING_OFFICER: READ,
    Role.AUDITOR: READ,
}


def sync_rules_permissions(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, codenames in RULES_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.label)
        perms = Permission.objects.using(using).filter(
            content_type__app_label="rules", codename__in=codenames
        )
        group.permissions.add(*perms)
