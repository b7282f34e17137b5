"""Write the Chinese interface standard (docs/api/接口标准.md) from the record-type registry; --check fails
when the committed document is stale."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.api.interface_doc import build, doc_path


class Command(BaseCommand):
    help = "根据记录类型定义生成数据接口标准文档（中文 Markdown）；--check 只检查已提交的文档是否最新。"

    def add_arguments(self, parser):
        parser.add_argument("--out", default="", help="输出文件（默认 docs/api/接口标准.md）")
        parser.add_argument("--check", action="store_true", help="只检查，不写入；文档不是最新时返回错误")

    def handle(self, *args, out="", check=False, **options):
        path = Path(out) if out else doc_path()
        content = build()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != content:
                raise CommandError(f"接口标准文档不是最新，请运行 manage.py api_interface_doc：{path}")
            self.stdout.write(f"{path} 是最新的")
            return
        if current == content:
            self.stdout.write(f"{path} 未变化")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.stdout.write(f"已写入 {path}（{len(content.splitlines())} 行）")
