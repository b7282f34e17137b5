"""``manage.py migrate_history <folder> [--source NAME] [--user NAME] [--report DIR]``: load a vendor's full
export (see imports/history/README.md for the folder layout). Rerunning the same export changes nothing.

Writes one validation report per organisation (JSON + Markdown) into ``--report`` (default
``MEDIA_ROOT/history_reports/<source>/<timestamp>``); prints the summary as one JSON line last. Exit code 0
when no row was rejected and every check passed, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports.cli import find_user
from imports.history.run import HistoryMigration
from imports.reading import ReadError


class Command(BaseCommand):
    help = "迁移原系统导出的历史数据（2022年起）；按来源编号可重复执行；输出每个组织的校验报告"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="导出文件夹（organisations.csv、accounts.csv …）")
        parser.add_argument("--source", help="来源系统名称（默认：文件夹名）")
        parser.add_argument("--user", help="以该用户的身份和管辖范围迁移（默认：第一个超级用户）")
        parser.add_argument("--report", help="校验报告输出文件夹")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"找不到导出文件夹 {folder}")
        user = find_user(options.get("user"))
        source = options.get("source") or folder.resolve().name
        report_dir = Path(
            options.get("report")
            or Path(settings.MEDIA_ROOT)
            / "history_reports"
            / source
            / timezone.now().strftime("%Y%m%d-%H%M%S")
        )
        run = HistoryMigration(folder, user=user, source_system=source)
        try:
            run.run()
        except ReadError as exc:
            self.stdout.write(
                json.dumps({"folder": str(folder), "error": str(exc), "ok": False}, ensure_ascii=False)
            )
            sys.exit(1)
        run.write(report_dir)
        for report in run.all_reports():
            for r in report.rejected:
                self.stdout.write(f"{r.file} 第 {r.row} 行 {r.column}：{r.reason}")
        summary = run.summary(report_dir)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if not summary["ok"]:
            sys.exit(1)
