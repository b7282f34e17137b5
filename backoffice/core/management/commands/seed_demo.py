"""manage.py seed_demo — deterministic synthetic data under real Shanxi region codes."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backoffice.core.demo import DEMO_PASSWORD, DEMO_SOURCE, SCALES, DemoContext, demo_modules


class Command(BaseCommand):
    help = "生成确定性的演示数据（--scale tiny|county|city，--seed 决定随机数）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="业务日期（默认今天）：到期、逾期等相对日期以此为准",
        )
        parser.add_argument("--reset", action="store_true", help="先清空数据库再生成")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, scale, seed, as_of, reset, quiet, **options):
        from backoffice.regions.models import CollectiveOrg

        if reset:
            call_command("flush", interactive=False, verbosity=0)
        elif CollectiveOrg.objects.filter(source_system=DEMO_SOURCE).exists():
            if not quiet:
                self.stdout.write("演示数据已存在，跳过（如需重新生成请加 --reset）。")
            return
        ctx = DemoContext(seed=seed, scale=scale, as_of=as_of or date.today())
        counts: dict[str, int] = {}
        started = time.perf_counter()
        for module in demo_modules():
            step = time.perf_counter()
            with transaction.atomic():
                produced = module.seed(ctx) or {}
            counts.update(produced)
            if not quiet:
                self.stdout.write(f"  {module.__name__}: {produced}  ({time.perf_counter() - step:.1f}s)")
        elapsed = time.perf_counter() - started
        if not quiet:
            self.stdout.write("")
            self.stdout.write(f"演示用户（密码均为 {DEMO_PASSWORD}）：")
            for role, username in ctx.users.items():
                self.stdout.write(f"  {username:<22} {role}")
            for note in ctx.notes:
                self.stdout.write(note)
        self.stdout.write(
            json.dumps(
                {"scale": scale, "seed": seed, "seconds": round(elapsed, 1), "rows": counts},
                ensure_ascii=False,
            )
        )
        if not counts:
            raise CommandError("没有生成任何数据。")
