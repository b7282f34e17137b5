"""The sidebar entry of the report pages.

The Unfold sidebar (``backoffice.core.navigation``) lists registered admins by their changelist, so the
report pages need a model to hang on. ``Report`` is a proxy without data of its own (no table: a proxy of
the region tree, whose rows it never shows); its admin replaces the changelist with the report index.
Access is decided by ``reports.web.views.may_view_reports``, not by model permissions.
"""

from __future__ import annotations

from django.db import models

from backoffice.regions.models import Region


class NoRows(models.Manager):
    """Page proxies have no rows of their own (generic admin code must not treat regions as theirs)."""

    def get_queryset(self):
        return super().get_queryset().none()


class Report(Region):
    """报表查询 — the live report pages (no rows of its own)."""

    # Not a scoped read path: the admin never lists these rows (reports are scoped by the engine).
    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        app_label = "reports"
        verbose_name = "报表查询"
        verbose_name_plural = "报表查询"
        default_permissions = ()
