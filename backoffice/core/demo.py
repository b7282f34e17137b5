"""The demo-data framework behind ``manage.py seed_demo``.

Each app may ship a ``demo`` module with ``DEMO_ORDER`` (int) and ``seed(ctx: DemoContext) -> dict``
(row counts by label). ``seed_demo`` runs them in order with one shared, seeded context, so the data is
deterministic for a given ``--seed``, ``--scale`` and ``--as-of``. Apps insert with ``bulk_create``:
the city preset must finish in minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from types import ModuleType

from django.apps import apps

SCALES = ("tiny", "county", "city")
DEMO_SOURCE = "demo"
DEMO_PASSWORD = "sanzi-demo-2026"


@dataclass
class DemoContext:
    seed: int
    scale: str
    as_of: date
    rng: random.Random = field(init=False)
    #: filled by the regions demo: village and township org ids and codes, in a stable order
    village_orgs: list[tuple[int, str]] = field(default_factory=list)
    township_orgs: list[tuple[int, str]] = field(default_factory=list)
    #: usernames by role code, filled by the accounts demo
    users: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def rng_for(self, label: str) -> random.Random:
        """An independent stream per app, so adding one app's data does not change another's."""
        return random.Random(f"{self.seed}:{label}")

    @property
    def volume(self) -> float:
        """Per-organisation volume multiplier: tiny keeps tests fast, county/city are realistic."""
        return {"tiny": 0.2, "county": 1.0, "city": 1.0}[self.scale]


#: the project's own top-level packages (third-party apps never seed demo data)
PROJECT_PACKAGES = ("backoffice", "imports", "rules", "reports")


def demo_modules() -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "seed"):
            found.append(module)
    return sorted(found, key=lambda m: getattr(m, "DEMO_ORDER", 100))
