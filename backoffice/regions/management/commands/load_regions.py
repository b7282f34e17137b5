"""manage.py load_regions FILE — import the official NBS region table (csv or xlsx) idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.regions.loading import RegionFileError, load_region_file
from backoffice.regions.models import Region


class Command(BaseCommand):
    help = "导入国家统计局统计用区划代码表（csv/xlsx：区划代码、名称，可选级别或上级代码），可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--edition-year", type=int, default=None, help="代码版本年份，如 2023")
        parser.add_argument("--strict", action="store_true", help="有任何错误行则整个文件不导入")

    def handle(self, *args, file: Path, edition_year, strict, **options):
        if not file.exists():
            raise CommandError(f"文件“{file}”不存在。")
        try:
            report = load_region_file(Region, file, edition_year=edition_year, strict=strict)
        except RegionFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(error)
        if strict and report.errors:
            raise CommandError(f"存在 {len(report.errors)} 个错误，按 --strict 要求整个文件未导入。")
        self.stdout.write(report.summary())
        if report.errors:
            raise SystemExit(1)
