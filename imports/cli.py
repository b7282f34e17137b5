"""Helpers shared by the import/export management commands."""

from __future__ import annotations

import csv
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from backoffice.core.scope import is_scoped_model

from .exporting import CellWriter, export_rows
from .models import ExportLog
from .resources import columns_for


def find_model(label: str):
    try:
        app_label, name = label.split(".")
        model = apps.get_model(app_label, name)
    except (ValueError, LookupError) as exc:
        raise CommandError(f"没有记录类型“{label}”；格式为 app_label.Model，例如 contracts.Contract") from exc
    if not is_scoped_model(model) or not hasattr(model, "Spec"):
        raise CommandError(f"“{label}”不是可导入导出的记录类型")
    return model


def find_user(name: str | None):
    User = get_user_model()
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的用户“{name}”")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("没有超级用户；请用 --user 指定导入/导出人")
    return user


def write_export(model, user, path: Path) -> int:
    """Stream the user's visible rows to ``path`` (xlsx or csv); returns the row count."""
    reveal = user.has_perm("core.reveal_sensitive")
    queryset = model._default_manager.visible_to(user).order_by("pk")
    rows = export_rows(model, queryset, reveal=reveal)
    count = -1
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(row)
                count += 1
    else:
        import xlsxwriter

        from .reading import STAMP_SHEET
        from .resources import version_stamp

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True})
        sheet = book.add_worksheet(sheet_name(model))
        cells = CellWriter(book)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cells.write(sheet, r, c, value)
            count += 1
        stamp = book.add_worksheet(STAMP_SHEET)
        stamp.write_string(0, 0, "version")
        stamp.write_string(0, 1, version_stamp(model))
        stamp.hide()
        book.close()
    ExportLog.objects.create(
        user=user,
        model_label=model._meta.label,
        filter_query="",
        row_count=max(count, 0),
        full_personal_data=reveal and any(c.kind == "sensitive" for c in columns_for(model)),
        channel=ExportLog.Channel.COMMAND,
    )
    return max(count, 0)


def sheet_name(model) -> str:
    import re

    return re.sub(r"[\[\]:*?/\\]", "、", str(model._meta.verbose_name))[:31]
