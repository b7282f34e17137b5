"""Write docs/dev/rule-variables.md and docs/guide/预警规则.md from the registry; --check fails when stale."""

from django.core.management.base import BaseCommand, CommandError

from rules.docs import doc_paths


class Command(BaseCommand):
    help = "根据变量登记表和规则文件生成规则文档（--check 只检查是否最新）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check=False, **options):
        stale = []
        for path, text in doc_paths().items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            stale.append(str(path))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
        if check and stale:
            raise CommandError(f"文档不是最新，请运行 manage.py rules_docs：{', '.join(stale)}")
