"""manage.py build_report R3 --level county --region 140121000000 --period 2025-Q3 --out r3.xlsx"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.catalogue import REPORTS
from reports.engine import build_table, check_level, normalise_region_code
from reports.rendering import render_csv, render_json, render_xlsx
from reports.table import LEVELS, ReportError

FORMATS = (".xlsx", ".csv", ".json")


class Command(BaseCommand):
    help = "生成监测报表（R1–R13、S1–S5）并写入 xlsx / csv / json 文件。"

    def add_arguments(self, parser):
        parser.add_argument("code", help=f"报表编号：{'、'.join(REPORTS)}")
        parser.add_argument("--level", required=True, choices=LEVELS, help="级别，须与区划代码一致")
        parser.add_argument("--region", required=True, help="12位统计用区划代码")
        parser.add_argument("--period", required=True, help="期间：YYYY-MM、YYYY-Qn 或 YYYY")
        parser.add_argument("--out", required=True, help="输出文件，扩展名 .xlsx、.csv 或 .json")
        parser.add_argument("--user", default=None, help="按该用户的数据范围生成（默认不限）")
        parser.add_argument("--from-snapshot", action="store_true", help="读取最新快照而不是实时计算")

    def handle(self, *args, code, level, region, period, out, user, from_snapshot, **options):
        path = Path(out)
        if path.suffix.lower() not in FORMATS:
            raise CommandError(f"输出文件“{out}”的扩展名应为 .xlsx、.csv 或 .json。")
        if not path.parent.exists():
            raise CommandError(f"输出目录“{path.parent}”不存在，请先创建。")
        account = None
        if user:
            from django.contrib.auth import get_user_model

            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户“{user}”不存在，请检查 --user。")
        try:
            region_code = normalise_region_code(region)
            check_level(level, region_code)
            table = build_table(
                code, region_code=region_code, period=period, user=account, from_snapshot=from_snapshot
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            path.write_bytes(render_xlsx(table))
        elif suffix == ".csv":
            path.write_text(render_csv(table), encoding="utf-8-sig")
        else:
            path.write_text(
                json.dumps(render_json(table), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
            )
        failed = [c for c in table.checks if not c.ok]
        self.stdout.write(
            f"{table.title}：{len(table.rows)}行，汇入单位{len(table.units_included)}个，"
            f"未汇入{len(table.units_missing)}个，已写入 {path}"
        )
        for check in failed:
            self.stderr.write(f"核对未通过：{check.label}：{check.detail}")
