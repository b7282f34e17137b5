"""The admin of a data-less page proxy (``reports.web.models.Report``, the supervision pages).

The Unfold sidebar lists registered admins by their changelist, so a page that is not a list of rows hangs
on a proxy model without rows (``NoRows``). ``PageProxyAdmin`` is that admin once: who may open the pages
is one predicate (``may_view``), nobody adds, changes or deletes the proxy's rows, and the proxy's URLs are
only its pages: the changelist URL name shows ``view_class``, ``extra_pages`` adds more under it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from unfold.admin import ModelAdmin


class PageProxyAdmin(ModelAdmin):
    """A page, not a list: readable by whom ``may_view`` admits, no add/change/delete of the proxy rows."""

    #: the view shown at the changelist URL (``admin:<app>_<model>_changelist``)
    view_class = None
    #: further pages under the changelist: (route, view class, URL name)
    extra_pages: tuple[tuple[str, type, str], ...] = ()

    def may_view(self, user) -> bool:
        """Whether ``user`` may open the pages; a subclass names its rule (closed by default)."""
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.may_view(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.may_view(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # Only the pages: the proxy has no rows to list, change or delete.
        wrap = self.admin_site.admin_view
        opts = self.model._meta
        return [
            path(
                "",
                wrap(self.view_class.as_view(model_admin=self)),
                name=f"{opts.app_label}_{opts.model_name}_changelist",
            ),
            *(
                path(route, wrap(view.as_view(model_admin=self)), name=name)
                for route, view, name in self.extra_pages
            ),
        ]
