"""``manage.py import_records <app_label.model> <file> [--dry-run] [--user NAME] [--policy …] [--errors OUT]``

Runs the same staged import as the admin (a job row, events, rollback from the admin afterwards) in this
process. The last line printed is a one-line JSON summary; exit code 0 when no row had an error, else 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import engine
from imports.cli import find_model, find_user
from imports.models import ImportJob


class Command(BaseCommand):
    help = "导入一个 Excel/CSV 文件（与后台导入相同的校验和分批提交）；最后一行输出 JSON 摘要"

    def add_arguments(self, parser):
        parser.add_argument("model", help="记录类型，例如 contracts.Contract")
        parser.add_argument("file", help=".xlsx / .xls / .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：第一个超级用户）")
        parser.add_argument("--policy", choices=["all-or-nothing", "valid-rows"], default="all-or-nothing")
        parser.add_argument("--errors", help="有错误时把错误清单写到这个 xlsx 文件")

    def handle(self, *args, **options):
        model = find_model(options["model"])
        user = find_user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        if not (user.is_superuser or user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")):
            raise CommandError(f"用户 {user} 没有新增“{model._meta.verbose_name}”的权限")
        policy = options["policy"].replace("-", "_")
        # the worker is this process: validate and commit inline instead of queueing
        job = ImportJob(original_name=path.name, model_label=model._meta.label, user=user, policy=policy)
        from django.core.files.base import ContentFile

        from backoffice.core.scope import scope_prefix

        prefix = scope_prefix(user)
        job.scope_code = prefix if isinstance(prefix, str) else ""
        job.file.save(path.name, ContentFile(path.read_bytes()), save=False)
        job.save()
        engine.log(job, f"命令行导入“{path.name}”")
        engine.validate_job(job.pk)
        job.refresh_from_db()
        may_commit = job.invalid_count == 0 or policy == ImportJob.Policy.VALID_ROWS
        if not options["dry_run"] and job.status == ImportJob.Status.VALIDATED and may_commit:
            engine.commit_job(job.pk)
            job.refresh_from_db()
        if options.get("errors") and job.invalid_count:
            Path(options["errors"]).write_bytes(engine.error_workbook(job))
        for row in job.rows.filter(action="invalid").order_by("row_number")[:20]:
            for column, message in row.errors.items():
                self.stderr.write(f"{path.name} 第 {row.row_number} 行 {column}：{message}")
        if job.error_text:
            self.stderr.write(job.error_text)
        summary = {
            "job": job.pk,
            "status": job.status,
            "dry_run": bool(options["dry_run"]),
            "rows": job.total_rows,
            "new": job.new_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "invalid": job.invalid_count,
            "error": job.error_text,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if job.invalid_count or job.status == ImportJob.Status.FAILED:
            sys.exit(1)
