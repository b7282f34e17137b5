from django.core.management.base import BaseCommand

from rules.services import sync_rules


class Command(BaseCommand):
    help = "把新增或修改的规则文件载入为新版本（保留后台设置的参数覆盖和启用状态）。"

    def handle(self, *args, **options):
        for code, outcome in sync_rules():
            self.stdout.write(f"{code}: {outcome}")
