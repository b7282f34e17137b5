"""manage.py generate_snapshots [--today 2026-01-01] [--region 140121] — the scheduled job by hand."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.tasks import generate_period_snapshots


class Command(BaseCommand):
    help = "为已结束的月、季、年生成缺少的报表快照（可重复执行，已有的快照不变）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", default=None, help="按该日期判断已结束的期间（默认今天），如 2026-01-05"
        )
        parser.add_argument("--region", default="", help="只处理该区划代码前缀下的区划，如 140121")

    def handle(self, *args, today, region, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"日期“{today}”格式不正确，应为 YYYY-MM-DD。") from exc
        counts = generate_period_snapshots(day, region_prefix=region.strip())
        self.stdout.write(
            f"新生成 {counts['created']} 份，已存在 {counts['existing']} 份，失败 {counts['failed']} 份。"
        )
