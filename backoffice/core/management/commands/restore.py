"""manage.py restore FILE --yes — put back a backup and verify every table against its manifest."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件（会覆盖当前数据），恢复后逐表校验行数和校验和。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")

    def handle(self, *args, archive: Path, yes: bool, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前数据库和上传文件；确认无误后加 --yes 再执行。")
        try:
            result = backup_restore(archive_path=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"restored": str(archive), **result}, ensure_ascii=False))
