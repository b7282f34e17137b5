"""Control totals of a staged import: Σ of each money column per organisation in the file, in the database
before, expected after and actual after the commit."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Sum

from .models import ImportJob, ImportRow
from .resources import Column, Masked, columns_for
from .validation import Validator


def _verbose_of(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class _Totals:
    """Σ of each money column per organisation: in the file, in the database before and after."""

    def __init__(self, validator: Validator):
        self.v = validator
        org = validator.by_name.get("org")
        self.org = org if org is not None and org.kind == "fk" else None
        self.file: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.delta: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def add(self, result: dict, old: dict | None) -> None:
        if not self.v.money:
            return
        values = result["values"]
        org = values.get(self.org.attname) if self.org else None
        for col in self.v.money:
            new = values.get(col.attname)
            if new is None or isinstance(new, Masked):
                continue
            self.file[org][col.name] += new
            if result["action"] == ImportRow.Action.NEW:
                self.delta[org][col.name] += new
            elif old is not None:
                self.delta[org][col.name] += new - (old.get(col.attname) or 0)

    def result(self) -> dict:
        if not self.v.money:
            return {}
        before = _db_totals(self.v.model, self.org, [c.name for c in self.v.money], list(self.file))
        resolver = self.v.resolvers.get(self.org.related) if self.org else None
        out = {}
        for org, sums in self.file.items():
            key = str(org)
            out[key] = {
                "label": _org_label(org, resolver),
                "fields": {
                    col.name: {
                        "label": col.label,
                        "file": str(sums[col.name]),
                        "before": str(before.get(org, {}).get(col.name, Decimal(0))),
                        "expected": str(
                            before.get(org, {}).get(col.name, Decimal(0)) + self.delta[org][col.name]
                        ),
                    }
                    for col in self.v.money
                },
            }
        return out


def _org_label(org, resolver) -> str:
    if org is None:
        return "全部"
    from backoffice.regions.models import CollectiveOrg

    name = CollectiveOrg.objects.filter(pk=org).values_list("name", flat=True).first() or ""
    return f"{name}（{resolver.key_of.get(org, org) if resolver else org}）"


def _db_totals(model, org_col: Column | None, names: list[str], orgs: list) -> dict:
    qs = model._default_manager.all()
    if org_col is None:
        sums = qs.aggregate(**{n: Sum(n) for n in names})
        return {None: {n: sums[n] or Decimal(0) for n in names}}
    out: dict = {}
    for start in range(0, len(orgs), 500):
        chunk = orgs[start : start + 500]
        rows = (
            qs.filter(**{f"{org_col.attname}__in": chunk})
            .values(org_col.attname)
            .annotate(**{f"s_{n}": Sum(n) for n in names})
        )
        for row in rows:
            out[row[org_col.attname]] = {n: row[f"s_{n}"] or Decimal(0) for n in names}
    return out


# ---- commit ---------------------------------------------------------------------------------------------


def _after_totals(job: ImportJob) -> dict:
    totals = job.control_totals or {}
    if not totals:
        return totals
    model = job.record_model
    org_col = next((c for c in columns_for(model) if c.name == "org" and c.kind == "fk"), None)
    names = sorted({n for entry in totals.values() for n in entry["fields"]})
    orgs = [int(k) if k.isdigit() else k for k in totals if k != "None"]
    after = _db_totals(model, org_col, names, orgs) if org_col else _db_totals(model, None, names, [])
    for key, entry in totals.items():
        org = None if key == "None" else (int(key) if key.isdigit() else key)
        for name, field in entry["fields"].items():
            value = after.get(org, {}).get(name, Decimal(0))
            field["after"] = str(value)
            field["ok"] = Decimal(field["after"]) == Decimal(field["expected"])
    return totals
