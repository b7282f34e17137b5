"""Build a report table: parameters → scope check → one grouped query per source → roll-up → checks.

``build_table`` is the one data path behind the admin page, the xlsx/CSV/JSON renderings, the CLI and
the snapshots. Scope rule: a request for a region outside the user's scope is **refused** with
ReportError("无权查看…") — a county user asking for the province gets an error naming their own county,
not a silently cut table (a cut table titled "山西省" would misstate the province's totals).
"""

from __future__ import annotations

from backoffice.core.scope import SIGNIFICANT_DIGITS, UNRESTRICTED, level_of_code, scope_prefix
from backoffice.regions.choices import OrgStatus
from backoffice.regions.models import CollectiveOrg, Region

from .catalogue import REPORTS, ReportDefinition
from .checks import run_checks
from .indicators import CATALOGUE
from .query import collect, group_by_key, orgs_with_data, sum_values
from .table import LEVEL_LABELS, LEVELS, WAN_LEVELS, Period, ReportError, ReportTable, TableRow

LEVEL_BY_NUMBER = {1: "province", 2: "city", 3: "county", 4: "township"}
LEVEL_FROM_LABEL = {"province": 1, "city": 2, "county": 3, "township": 4}


def get_definition(report_code: str) -> ReportDefinition:
    definition = REPORTS.get((report_code or "").strip().upper())
    if definition is None:
        known = "、".join(REPORTS)
        raise ReportError(f"报表编号“{report_code}”不存在，可用的编号：{known}。")
    return definition


def normalise_region_code(region_code: str) -> str:
    """A 12-digit code from a 12-digit code or its significant digits (2, 4, 6 or 9 digits)."""
    code = (region_code or "").strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ReportError(f"区划代码“{region_code}”格式不正确，应为12位统计用区划代码，如 140121000000。")
    return code.ljust(12, "0")


def level_of_region(region_code: str) -> str:
    """ "province" | "city" | "county" | "township" for a 12-digit code; ReportError for a village."""
    number = level_of_code(region_code)
    if number == 5:
        raise ReportError(f"区划代码 {region_code} 是村级单位；汇总报表从乡镇级开始，请选择所属乡镇。")
    return LEVEL_BY_NUMBER[number]


def check_level(level: str, region_code: str) -> None:
    """The --level of the CLI (or a form) must agree with the region code."""
    if level not in LEVELS:
        raise ReportError(
            f"级别“{level}”不正确，应为 province（省）、city（市）、county（县）或 township（乡）。"
        )
    actual = level_of_region(region_code)
    if actual != level:
        raise ReportError(
            f"区划代码 {region_code} 是{LEVEL_LABELS[actual]}区划，与所选级别“{LEVEL_LABELS[level]}”不一致；"
            f"请改用 --level {actual} 或换一个{LEVEL_LABELS[level]}区划代码。"
        )


def check_scope(user, region: Region) -> None:
    """Refuse a region outside the user's scope (see the module docstring)."""
    if user is None:
        return
    prefix = scope_prefix(user)
    if prefix is UNRESTRICTED:
        return
    if prefix is None:
        raise ReportError("无权查看报表：您的账号没有设置数据范围，请联系管理员。")
    if not region.code.startswith(prefix):
        own = Region.objects.filter(code=prefix.ljust(12, "0")).first()
        own_text = f"{own.name}（{own.code}）" if own else prefix
        raise ReportError(
            f"无权查看{region.name}（{region.code}）的报表：您的数据范围是{own_text}，请选择该范围内的区划。"
        )


def resolve(report_code: str, region_code: str, period: str | Period, user=None):
    """Validate the parameters; returns (definition, region, level, period)."""
    definition = get_definition(report_code)
    parsed = Period.parse(period)
    if parsed.kind not in definition.period_kinds:
        kinds = "、".join({"month": "月", "quarter": "季", "year": "年"}[k] for k in definition.period_kinds)
        raise ReportError(f"{definition.label}只能按{kinds}生成，不能按“{parsed.label}”生成。")
    code = normalise_region_code(region_code)
    level = level_of_region(code)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ReportError(f"区划代码 {code} 不存在，请检查代码或先导入区划。")
    check_scope(user, region)
    return definition, region, level, parsed


def _derive(values: dict, order: list[str]) -> None:
    for code in order:
        spec = CATALOGUE[code]
        if spec.derive is not None:
            values[code] = spec.derive(values)


def build_table(
    report_code: str,
    *,
    region_code: str,
    period: str | Period,
    user=None,
    from_snapshot: bool | int = False,
) -> ReportTable:
    """Build one report for a region (its level follows from the code) and a period.

    ``user`` None means unrestricted (the CLI without --user, the scheduled job). A user whose scope does
    not contain the region gets ReportError("无权查看…") — refused, not cut. ``from_snapshot`` True reads
    the latest snapshot of (report, region, period) instead of computing live (an int: that snapshot id);
    the table then has ``snapshot`` set.
    """
    definition, region, level, parsed = resolve(report_code, region_code, period, user)
    if from_snapshot:
        from .snapshots import table_from_snapshot

        return table_from_snapshot(definition, region, parsed, user=user, snapshot_id=from_snapshot)
    return compute_table(definition, region, level, parsed, user=user)


def compute_table(
    definition: ReportDefinition, region: Region, level: str, period: Period, *, user
) -> ReportTable:
    number = LEVEL_FROM_LABEL[level]
    prefix = region.code[: SIGNIFICANT_DIGITS[number]]
    child_digits = SIGNIFICANT_DIGITS[number + 1]
    order = definition.needed_codes()
    measures = [c for c in order if CATALOGUE[c].source]
    by_source: dict[str, list[str]] = {}
    for code in measures:
        by_source.setdefault(CATALOGUE[code].source, []).append(code)

    collected = collect(by_source, period=period, prefix=prefix, child_digits=child_digits, user=user)
    # organisation counts (R1a brackets) are decided on each organisation's own values, before roll-up
    per_org = [c for c in order if CATALOGUE[c].per_org]
    for entry in collected.values():
        for code in per_org:
            entry.values[code] = int(entry.org_id is not None and CATALOGUE[code].per_org(entry.values))
    measures = measures + per_org
    by_key = group_by_key(collected)

    org_qs = CollectiveOrg.objects.all() if user is None else CollectiveOrg.objects.visible_to(user)
    orgs = {
        o["pk"]: o
        for o in org_qs.within(prefix).values("pk", "name", "credit_code", "region_code", "status").order_by()
    }
    region_qs = Region.objects.all() if user is None else Region.objects.visible_to(user)
    children = list(
        region_qs.filter(level=number + 1, code__startswith=prefix)
        .exclude(valid_to__lt=period.start)
        .order_by("code")
        .values_list("code", "name")
    )
    child_keys = {code[:child_digits]: (code, name) for code, name in children}

    rows: list[TableRow] = []
    # organisations registered at the region itself (e.g. the township-level 联合社 of a township report)
    for key, entries in sorted(by_key.items()):
        if key in child_keys:
            continue
        for entry in sorted(entries, key=lambda e: (e.org_id is None, e.org_id or 0)):
            org = orgs.get(entry.org_id) or {}
            values = sum_values([entry], measures)
            _derive(values, order)
            rows.append(
                TableRow(
                    key=org.get("credit_code") or (f"ORG{entry.org_id}" if entry.org_id else f"REGION{key}"),
                    label=f"{org.get('name', '')}（本级）" if org else f"{region.name}本级（未关联组织）",
                    kind="org",
                    values=values,
                    drill_region=None,
                    units=1 if entry.org_id else 0,
                )
            )
    for key, (code, name) in child_keys.items():
        entries = by_key.get(key, [])
        values = sum_values(entries, measures)
        _derive(values, order)
        rows.append(
            TableRow(
                key=code,
                label=name,
                kind="region",
                values=values,
                drill_region=code if number + 1 <= 4 else None,
                units=len(orgs_with_data(entries)),
            )
        )
    all_entries = list(collected.values())
    total_values = sum_values(all_entries, measures)
    _derive(total_values, order)
    included_ids = orgs_with_data(all_entries)
    total = TableRow(
        key="TOTAL",
        label="合计",
        kind="total",
        values=total_values,
        drill_region=None,
        units=len(included_ids),
    )
    included = sorted(
        (
            (orgs[i]["credit_code"] or f"ORG{i}", orgs[i]["name"], orgs[i]["region_code"])
            for i in included_ids
            if i in orgs
        ),
        key=lambda t: (t[2], t[1]),
    )
    missing = sorted(
        (
            (o["credit_code"] or f"ORG{pk}", o["name"], o["region_code"])
            for pk, o in orgs.items()
            if pk not in included_ids and o["status"] == OrgStatus.ACTIVE
        ),
        key=lambda t: (t[2], t[1]),
    )
    table = ReportTable(
        report_code=definition.code,
        report_label=definition.label,
        level=level,
        region_code=region.code,
        region_name=region.name,
        period=period,
        columns=definition.indicators,
        rows=rows,
        total=total,
        units_included=[(c, n) for c, n, _ in included],
        units_missing=[(c, n) for c, n, _ in missing],
        display_unit="万元" if level in WAN_LEVELS else "元",
        notes=_notes(definition, level, included, missing, user),
    )
    table.checks = run_checks(table, definition)
    return table


def _notes(definition: ReportDefinition, level: str, included, missing, user) -> list[str]:
    notes = [f"汇入本表单位 {len(included)} 个，未汇入（本期无已审核数据）{len(missing)} 个。"]
    if level in WAN_LEVELS:
        notes.append("金额单位：万元（按元全精度汇总后折算，显示时四舍五入保留两位小数）。")
    else:
        notes.append("金额单位：元。")
    if any(not CATALOGUE[c].additive for c in definition.columns):
        notes.append("比率、亩均等指标按各行合计数重新计算，不对下级比率求平均。")
    notes.append("只汇总审核状态为“已审核”的记录。")
    notes.extend(definition.source_labels)
    notes.extend(definition.notes)
    if user is not None and scope_prefix(user) is not UNRESTRICTED:
        notes.append("数据范围：按当前用户的数据权限筛选。")
    return notes
