"""manage.py backup [--out DIR] — database + uploaded files into one verified archive."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backoffice.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）和上传文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=Path(settings.VAR_DIR) / "backups")

    def handle(self, *args, out: Path, **options):
        try:
            path = backup_create(out_dir=out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"backup": str(path), "bytes": path.stat().st_size}, ensure_ascii=False))
