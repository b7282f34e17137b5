"""``manage.py import_bank_feed <file> [--format NAME] [--user NAME]``: store the new transactions of a
bank statement file (银农直连 export or the generic layout). Re-importing the same file inserts nothing.

Prints one line per problem (file, row, column, message), then a one-line JSON summary last; exit code 0
when every row was stored or already present with a continuous balance chain, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.bankfeed.adapters import ADAPTERS
from imports.bankfeed.ingest import ingest
from imports.cli import find_user
from imports.reading import ReadError


class Command(BaseCommand):
    help = "导入银行流水文件（银农直连对账单或通用格式）；重复导入不会重复入账；最后一行输出 JSON 摘要"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx / .xls / .csv 流水文件")
        parser.add_argument("--format", choices=sorted(ADAPTERS), help="流水格式（默认按表头自动识别）")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：第一个超级用户）")

    def handle(self, *args, **options):
        user = find_user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        if not (user.is_superuser or user.has_perm("funds.add_banktransaction")):
            raise CommandError(f"用户 {user} 没有新增“银行流水”的权限")
        try:
            result = ingest(
                path.read_bytes(), path.name, user=user, format=options.get("format"), batch=path.name
            )
        except ReadError as exc:
            self.stdout.write(
                json.dumps({"file": path.name, "error": str(exc), "ok": False}, ensure_ascii=False)
            )
            sys.exit(1)
        for warning in result.warnings:
            self.stderr.write(f"{path.name}：{warning}")
        for p in result.problem_dicts():
            where = f"第 {p['row']} 行" + (f" {p['column']}" if p["column"] else "")
            self.stdout.write(f"{p['file']} {where}：{p['message']}")
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        if not result.ok:
            sys.exit(1)
