"""Snapshot services: generate, review, return, lock, and read a table back (DOMAIN.md §5.2).

Every write goes through these functions (admin actions, the scheduled job, the CLI and tests alike):

- ``generate_snapshot``: freezes the live table. No snapshot yet → revision 1. The latest revision not
  locked → it is refreshed in place and its review starts again. The latest locked → a new revision n+1
  with ``diff`` = the changed cells against the locked one (no change → the locked one is returned).
- ``review_snapshot(user)``: the next review step of the chain, done by a user of that step's level
  (township → county → city) whose scope holds the snapshot's region.
- ``return_snapshot(user, comment)``: back to the data owners with a comment (required).
- ``lock_snapshot(user)``: the last step, by a province-level user (or a superuser) once every lower
  step is done; refused while any tie check of the frozen table fails.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backoffice.core.scope import UNRESTRICTED, level_of_code, scope_prefix
from backoffice.regions.models import Region

from .catalogue import REPORTS, ReportDefinition
from .checks import run_checks
from .engine import compute_table, resolve
from .models import ReportSnapshot, SnapshotEvent, SnapshotLockedError, SnapshotStatus
from .rendering import render_json
from .table import Indicator, Period, ReportError, ReportTable, TableRow

#: the review step each region level performs, lowest first; the province locks
STEP_OF_LEVEL = {
    4: SnapshotStatus.TOWNSHIP_REVIEWED,
    3: SnapshotStatus.COUNTY_REVIEWED,
    2: SnapshotStatus.CITY_REVIEWED,
}
STEP_FIELDS = {
    SnapshotStatus.TOWNSHIP_REVIEWED: "township",
    SnapshotStatus.COUNTY_REVIEWED: "county",
    SnapshotStatus.CITY_REVIEWED: "city",
}
LEVEL_NUMBER = {"province": 1, "city": 2, "county": 3, "township": 4}


def review_chain(level: str) -> list[str]:
    """The review statuses a snapshot of ``level`` passes through before it can be locked."""
    number = LEVEL_NUMBER[level]
    return [STEP_OF_LEVEL[n] for n in (4, 3, 2) if n <= number]


def next_step(snapshot: ReportSnapshot) -> str:
    """The status the next review moves to (LOCKED when every review step is done)."""
    chain = review_chain(snapshot.level)
    if snapshot.status in (SnapshotStatus.GENERATED, SnapshotStatus.RETURNED):
        return chain[0] if chain else SnapshotStatus.LOCKED
    if snapshot.status in chain:
        index = chain.index(snapshot.status)
        return chain[index + 1] if index + 1 < len(chain) else SnapshotStatus.LOCKED
    return SnapshotStatus.LOCKED


def _user_level(user) -> int | None:
    prefix = scope_prefix(user)
    if prefix is UNRESTRICTED:
        return 0
    if not prefix:
        return None
    return level_of_code(prefix.ljust(12, "0"))


def _require_scope(user, snapshot: ReportSnapshot) -> None:
    prefix = scope_prefix(user)
    if prefix is UNRESTRICTED:
        return
    if prefix is None or not snapshot.region_code.startswith(prefix):
        raise ReportError(f"无权处理快照“{snapshot}”：该区划不在您的数据范围内。")


def _event(snapshot, kind, before, user=None, comment="") -> None:
    SnapshotEvent.objects.create(
        snapshot=snapshot,
        kind=kind,
        from_status=before,
        to_status=snapshot.status,
        user=user,
        comment=comment,
    )


def _locked_guard(snapshot: ReportSnapshot) -> None:
    if snapshot.is_locked:
        raise SnapshotLockedError(f"快照“{snapshot}”已锁定，不能再修改；如需更正请重新生成（将产生新版本）。")


# ---- table ↔ JSON ----------------------------------------------------------------------------------


def _value(raw, kind: str):
    if raw is None:
        return None
    if kind == "count" and not isinstance(raw, str):
        return int(raw)
    return Decimal(str(raw))


def table_from_json(data: dict, definition: ReportDefinition | None = None) -> ReportTable:
    """Rebuild a ReportTable from ``render_json`` output (a snapshot's frozen table)."""
    from .indicators import CATALOGUE

    columns = [Indicator(c["code"], c["label"], c["unit"], c["kind"]) for c in data["columns"]]

    def kind_of(code: str) -> str:
        spec = CATALOGUE.get(code)
        return spec.indicator.kind if spec else "money"

    rows = [
        TableRow(
            key=r["key"],
            label=r["label"],
            kind=r["kind"],
            values={code: _value(v, kind_of(code)) for code, v in r["values"].items()},
            drill_region=r.get("drill_region"),
            units=r.get("units", 0),
        )
        for r in data["rows"]
    ]
    total = next(r for r in rows if r.kind == "total")
    table = ReportTable(
        report_code=data["report_code"],
        report_label=data["report_label"],
        level=data["level"],
        region_code=data["region_code"],
        region_name=data["region_name"],
        period=Period.parse(data["period"]),
        columns=columns,
        rows=[r for r in rows if r.kind != "total"],
        total=total,
        units_included=[tuple(u) for u in data.get("units_included", [])],
        units_missing=[tuple(u) for u in data.get("units_missing", [])],
        display_unit=data.get("display_unit", "元"),
        notes=list(data.get("notes", [])),
    )
    from .engine import get_definition

    table.checks = run_checks(table, definition or get_definition(table.report_code))
    return table


def snapshot_info(snapshot: ReportSnapshot) -> dict:
    return {
        "id": snapshot.pk,
        "revision": snapshot.revision,
        "status": snapshot.status,
        "status_label": snapshot.get_status_display(),
        "generated_at": snapshot.generated_at.isoformat() if snapshot.generated_at else None,
        "locked_at": snapshot.locked_at.isoformat() if snapshot.locked_at else None,
    }


def table_from_snapshot(
    definition: ReportDefinition, region: Region, period: Period, *, user=None, snapshot_id: bool | int = True
) -> ReportTable:
    """The frozen table of a snapshot: a given id, else the latest revision of (report, region, period)."""
    qs = ReportSnapshot.objects.all() if user is None else ReportSnapshot.objects.visible_to(user)
    qs = qs.filter(report_code=definition.code, region_code=region.code, period=period.code)
    if snapshot_id is not True and snapshot_id:
        qs = qs.filter(pk=int(snapshot_id))
    snapshot = qs.order_by("-revision").first()
    if snapshot is None:
        raise ReportError(f"{region.name}{period.label}的{definition.label}尚未生成快照。")
    table = table_from_json(snapshot.table, definition)
    table.snapshot = snapshot_info(snapshot)
    return table


# ---- diff --------------------------------------------------------------------------------------------


def table_diff(old: dict, new: dict) -> list[dict]:
    """Changed cells between two frozen tables (by row key and column code), plus added/removed rows."""
    old_rows = {r["key"]: r for r in old["rows"]}
    new_rows = {r["key"]: r for r in new["rows"]}
    labels = {c["code"]: c["label"] for c in new["columns"]}
    changes: list[dict] = []
    for key, row in new_rows.items():
        before = old_rows.get(key)
        if before is None:
            changes.append({"row": key, "row_label": row["label"], "column": "", "change": "added"})
            continue
        for code in labels:
            a, b = before["values"].get(code), row["values"].get(code)
            if _differs(a, b):
                changes.append(
                    {
                        "row": key,
                        "row_label": row["label"],
                        "column": code,
                        "column_label": labels[code],
                        "old": a,
                        "new": b,
                        "old_display": before.get("display", {}).get(code, ""),
                        "new_display": row.get("display", {}).get(code, ""),
                    }
                )
    for key, row in old_rows.items():
        if key not in new_rows:
            changes.append({"row": key, "row_label": row["label"], "column": "", "change": "removed"})
    return changes


def _differs(a, b) -> bool:
    if a is None or b is None:
        return a != b
    try:
        return Decimal(str(a)) != Decimal(str(b))
    except ArithmeticError:
        return a != b


# ---- services -----------------------------------------------------------------------------------------


@transaction.atomic
def generate_snapshot(
    report_code: str, *, region_code: str, period: str | Period, user=None, if_missing: bool = False
) -> ReportSnapshot:
    """Freeze the live table of (report, region, period); see the module docstring for revisions.

    ``if_missing`` (the scheduled job) returns any existing snapshot untouched, so reruns are idempotent.
    """
    definition, region, level, parsed = resolve(report_code, region_code, period, user)
    latest = (
        ReportSnapshot.objects.select_for_update()
        .filter(report_code=definition.code, region_code=region.code, period=parsed.code)
        .order_by("-revision")
        .first()
    )
    if latest is not None and if_missing:
        return latest
    table = compute_table(definition, region, level, parsed, user=None)
    frozen = _jsonable(render_json(table))
    if latest is None or latest.is_locked:
        diff = table_diff(latest.table, frozen) if latest is not None else []
        if latest is not None and not diff:
            return latest
        snapshot = ReportSnapshot.objects.create(
            report_code=definition.code,
            report_label=definition.label,
            region=region,
            level=level,
            period=parsed.code,
            period_label=parsed.label,
            revision=(latest.revision + 1) if latest else 1,
            table=frozen,
            checks_ok=table.checks_ok,
            previous=latest,
            diff=diff,
            generated_by=user,
        )
        comment = f"更正第{latest.revision}版（已锁定），{len(diff)}处变化" if latest else ""
        _event(snapshot, "generated", "", user, comment)
        snapshot.just_created = True  # read by the scheduled job's counts
        return snapshot
    before = latest.status
    latest.table = frozen
    latest.checks_ok = table.checks_ok
    if latest.previous is not None:
        latest.diff = table_diff(latest.previous.table, frozen)
    latest.status = SnapshotStatus.GENERATED
    latest.return_comment = ""
    for step in STEP_FIELDS.values():
        setattr(latest, f"{step}_reviewed_at", None)
        setattr(latest, f"{step}_reviewed_by", None)
    latest.generated_at = timezone.now()
    latest.generated_by = user
    latest.save()
    _event(latest, "regenerated", before, user, "重新生成，审核重新开始")
    return latest


def _jsonable(data: dict) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


@transaction.atomic
def review_snapshot(snapshot: ReportSnapshot, *, user) -> ReportSnapshot:
    """Approve the next review step (by a user of that step's level, or a superuser)."""
    snapshot = ReportSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    _locked_guard(snapshot)
    _require_scope(user, snapshot)
    step = next_step(snapshot)
    if step == SnapshotStatus.LOCKED:
        raise ReportError(f"快照“{snapshot}”各级审核已完成，请由省级锁定。")
    step_level = {v: k for k, v in STEP_OF_LEVEL.items()}[step]
    user_level = _user_level(user)
    if user_level is None or (user_level != 0 and user_level != step_level):
        label = SnapshotStatus(step).label.replace("已审核", "")
        raise ReportError(f"快照“{snapshot}”当前待{label}审核，您的账号不是{label}用户。")
    before = snapshot.status
    snapshot.status = step
    field = STEP_FIELDS[step]
    setattr(snapshot, f"{field}_reviewed_at", timezone.now())
    setattr(snapshot, f"{field}_reviewed_by", user)
    snapshot.save()
    _event(snapshot, "reviewed", before, user)
    return snapshot


@transaction.atomic
def return_snapshot(snapshot: ReportSnapshot, *, user, comment: str) -> ReportSnapshot:
    """Return a snapshot for correction with a comment (required); review restarts after regeneration."""
    snapshot = ReportSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    _locked_guard(snapshot)
    _require_scope(user, snapshot)
    comment = (comment or "").strip()
    if not comment:
        raise ReportError("退回快照必须填写退回意见，说明需要更正的内容。")
    before = snapshot.status
    snapshot.status = SnapshotStatus.RETURNED
    snapshot.return_comment = comment
    snapshot.save()
    _event(snapshot, "returned", before, user, comment)
    return snapshot


@transaction.atomic
def lock_snapshot(snapshot: ReportSnapshot, *, user=None) -> ReportSnapshot:
    """Lock a fully reviewed snapshot (province user or superuser; ``user`` None = system)."""
    snapshot = ReportSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    _locked_guard(snapshot)
    if user is not None:
        _require_scope(user, snapshot)
        if _user_level(user) not in (0, 1):
            raise ReportError("只有省级用户可以锁定报表快照。")
    if next_step(snapshot) != SnapshotStatus.LOCKED or snapshot.status == SnapshotStatus.RETURNED:
        raise ReportError(
            f"快照“{snapshot}”尚未完成各级审核（当前：{snapshot.get_status_display()}），不能锁定。"
        )
    if not snapshot.checks_ok:
        failed = [c["label"] for c in snapshot.table.get("checks", []) if not c.get("ok")]
        raise ReportError(
            f"快照“{snapshot}”核对未通过（{'、'.join(failed)}），不能锁定；请更正数据后重新生成。"
        )
    before = snapshot.status
    snapshot.status = SnapshotStatus.LOCKED
    snapshot.locked_at = timezone.now()
    snapshot.locked_by = user
    # the stored row is not locked yet, so the model's save guard lets this one write through
    snapshot.save()
    _event(snapshot, "locked", before, user)
    return snapshot


def reports_for_snapshots() -> list[ReportDefinition]:
    """The monitoring tables (R1–R13) are period reports; the statistics (S1–S5) stay real-time."""
    return [d for d in REPORTS.values() if not d.statistic]
