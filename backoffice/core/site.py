"""The admin site: Unfold's, with the full application list built only when a page shows it.

Every admin page's context carries ``available_apps`` (Django's ``each_context``), a permission check on
every registered model (91 here): 22 ms of each list page under cProfile. Our pages show the module sidebar
(core/navigation.py) instead, and Unfold reads ``available_apps`` only when the sidebar is empty or
"show all applications" is on, so the list is built lazily: a page that never reads it never pays.

Installed through ``BackofficeAdminConfig.default_site`` (Django's documented way to replace the default
site); INSTALLED_APPS names ``unfold.apps.BasicAppConfig``, which, unlike Unfold's default app config,
leaves ``admin.site`` to Django.
"""

from __future__ import annotations

import functools

from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from unfold.sites import UnfoldAdminSite


class BackofficeAdminSite(UnfoldAdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None):
        if app_label is not None:  # an application's index page: shown, so built now
            return super().get_app_list(request, app_label)
        return SimpleLazyObject(functools.partial(super().get_app_list, request))


class BackofficeAdminConfig(AdminConfig):
    default_site = "backoffice.core.site.BackofficeAdminSite"
