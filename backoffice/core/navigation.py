"""The Unfold sidebar, grouped by module and built from the admin registry (no hand-kept menu).

Groups follow the order of the 11 monitoring modules, then trading, rules, imports, reports and system;
each item shows only when the user may view that model.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

#: app labels in sidebar order; apps not listed come after, before the system group
MODULE_ORDER = (
    "regions",
    "funds",
    "accounting",
    "debts",
    "labour",
    "levies",
    "disclosure",
    "contracts",
    "assets",
    "subsidies",
    "reform",
    "keywork",
    "trading",
    "rules",
    "imports",
    "reports",
    "supervision",
)
SYSTEM_APPS = ("accounts", "auditlog", "axes", "core", "django_q")
SYSTEM_TITLE = "系统管理"


def _changelist_url(app_label: str, model_name: str) -> str | None:
    return _cached_changelist_url(app_label, model_name, get_urlconf(), get_script_prefix())


@functools.cache
def _cached_changelist_url(app_label: str, model_name: str, urlconf, prefix: str) -> str | None:
    # The sidebar is built on every page; its ~70 links change only with the URLconf or the script prefix
    # (the cache key), and reversing them on each page cost ~10% of a changelist's time.
    try:
        return reverse(f"admin:{app_label}_{model_name}_changelist", urlconf=urlconf)
    except NoReverseMatch:
        return None


def sidebar_navigation(request: HttpRequest) -> list[dict]:
    by_app: dict[str, list[dict]] = {}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        link = _changelist_url(opts.app_label, opts.model_name)
        if link is None:
            continue
        by_app.setdefault(opts.app_label, []).append(_item(opts.verbose_name_plural, link, model_admin))
    ordered = [a for a in MODULE_ORDER if a in by_app]
    ordered += sorted(a for a in by_app if a not in MODULE_ORDER and a not in SYSTEM_APPS)
    groups = [_group(apps.get_app_config(label).verbose_name, by_app[label]) for label in ordered]
    system_items = [item for label in SYSTEM_APPS for item in by_app.get(label, [])]
    if system_items:
        groups.append(_group(SYSTEM_TITLE, system_items))
    overview = _group("概览", [{**_item("工作台", reverse("admin:index")), "icon": "dashboard"}])
    overview["collapsible"] = False
    return [overview, *groups]


# Unfold's sidebar template reads these keys of every group and item; a key that is missing makes the
# template engine try attribute and index lookups and call dir() on the dict (~230 times per page).
def _item(title, link: str, model_admin=None) -> dict:
    return {
        "title": str(title),
        "link": link,
        "icon": getattr(model_admin, "icon", None),
        "link_callback": None,
        "link_attrs": None,
        "icon_template": None,
    }


def _group(title, items: list[dict]) -> dict:
    return {"title": str(title), "collapsible": True, "separator": False, "items": items}
