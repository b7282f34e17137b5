"""Evaluate alert rules as of a business date; prints one line per rule and a JSON summary last."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rules.schema import shipped_rules
from rules.services import run_rule


class Command(BaseCommand):
    help = "按业务日期评估预警规则（默认全部规则、昨天、全省），最后一行输出 JSON 汇总。"

    def add_arguments(self, parser):
        parser.add_argument("--rule", action="append", dest="rules", help="规则编号，可重复；默认全部")
        parser.add_argument("--as-of", dest="as_of", help="评估日期 YYYY-MM-DD（默认昨天）")
        parser.add_argument("--region", help="只评估该区划代码（12位）及其下级")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不开关预警、不写评估记录")

    def handle(self, *args, rules=None, as_of=None, region=None, dry_run=False, **options):
        known = shipped_rules()
        codes = rules or sorted(known)
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise CommandError(f"没有这些规则：{', '.join(unknown)}")
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD：{as_of}") from exc
        if region and (len(region) != 12 or not region.isdigit()):
            raise CommandError("--region 应为12位区划代码")
        results = []
        for code in codes:
            summary = run_rule(code=code, as_of=day, region=region, dry_run=dry_run, trigger="command")
            results.append(summary.as_json())
            if options.get("verbosity", 1) > 0:
                self.stdout.write(
                    f"{code}: 扫描 {summary.rows_scanned}，命中 {summary.matches}，新开 {summary.opened}，"
                    f"重开 {summary.reopened}，解除 {summary.closed}{'（试运行）' if dry_run else ''}"
                )
        total = {
            key: sum(r[key] for r in results)
            for key in ("rows_scanned", "matches", "unevaluable", "opened", "reopened", "closed")
        }
        self.stdout.write(
            json.dumps(
                {
                    "as_of": day.isoformat(),
                    "region": region or "",
                    "dry_run": dry_run,
                    "total": total,
                    "rules": results,
                },
                ensure_ascii=False,
            )
        )
