"""``manage.py export_records <app_label.model> <file> [--user NAME]``: the rows the user's list shows, in
the import layout (re-importable), streamed with xlsxwriter (or CSV); logged in ExportLog."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from imports.cli import find_model, find_user, write_export


class Command(BaseCommand):
    help = "导出某类记录（按用户管辖范围），格式与导入模板一致；最后一行输出 JSON 摘要"

    def add_arguments(self, parser):
        parser.add_argument("model")
        parser.add_argument("file", help=".xlsx 或 .csv")
        parser.add_argument("--user", help="以该用户的管辖范围导出（默认：第一个超级用户）")

    def handle(self, *args, **options):
        model = find_model(options["model"])
        user = find_user(options.get("user"))
        count = write_export(model, user, Path(options["file"]))
        self.stdout.write(json.dumps({"model": model._meta.label, "rows": count, "file": options["file"]}))
