"""Organisations and the non-ledger record types (resources, contracts, counterparties, debts, households,
members): the platform's own import headers, plus 来源编号 and 组织编号 (the vendor's organisation id).

A foreign key is given either as the platform's natural key (the template column, e.g. 往来单位/个人) or as
the vendor's id of the referenced row in the same export (``<column>来源编号``, e.g. 往来单位/个人来源编号).
"""

from __future__ import annotations

from django.apps import apps

from backoffice.core.scope import code_in_scope
from backoffice.regions.choices import OrgLevel
from backoffice.regions.models import CollectiveOrg, Region

from ..natural_keys import FkResolver
from ..reading import normalise_header
from ..resources import Masked, Required, columns_for
from .base import OrgReport, Rejection
from .files import Sheet, free_text, open_sheet, text

SOURCE_ID = "来源编号"
ORG_ID = "组织编号"
ORG_HEADERS = [ORG_ID, "组织名称", "统一社会信用代码", "区划代码", "组织级别"]

#: file stem → record type, in dependency order (referenced types first)
RECORD_FILES = (
    ("resources", "assets.Resource"),
    ("contracts", "contracts.Contract"),
    ("counterparties", "debts.Counterparty"),
    ("debts", "debts.DebtItem"),
    ("households", "reform.Household"),
    ("members", "reform.Member"),
)
LEVELS = {**{c.value: c.value for c in OrgLevel}, **{str(c.label): c.value for c in OrgLevel}}
LEVELS.update({"组级": "N1", "村级": "N2", "乡镇级": "N3", "代行": "ACTING", "其他": "N9"})


def load_orgs(run) -> None:
    """organisations.csv: matched by source id, else credit code, else region + name; created if absent."""
    sheet = open_sheet(run.folder, "organisations", ORG_HEADERS)
    if sheet is None:
        run.unassigned.warnings.append("导出中没有 organisations 文件；其他文件中的组织编号都无法识别。")
        return
    labels = {
        "name": "组织名称",
        "credit_code": "统一社会信用代码",
        "region": "区划代码",
        "org_level": "组织级别",
    }
    for number, row in sheet.rows:
        vid = text(row.get(ORG_ID))
        report = run.report_for(vid) if vid else run.unassigned
        if not vid:
            report.rejected.append(Rejection(sheet.name, number, sheet.where(ORG_ID), "组织编号不能为空"))
            report.count("organisations", "rejected")
            continue
        name, code = free_text(row.get("组织名称")), text(row.get("统一社会信用代码")).upper()
        region_code = text(row.get("区划代码"))
        level = LEVELS.get(text(row.get("组织级别")).upper()) or LEVELS.get(text(row.get("组织级别")))
        problems = []
        if not name:
            problems.append(("组织名称", "组织名称不能为空"))
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            problems.append(("区划代码", f"区划代码“{region_code}”不存在（应为12位统计用区划代码）"))
        if level is None:
            problems.append(
                ("组织级别", f"“{text(row.get('组织级别'))}”不是有效的组织级别（填 N1/N2/N3/N9 或 代行）")
            )
        if problems:
            for label, message in problems:
                report.rejected.append(Rejection(sheet.name, number, sheet.where(label), message))
            report.count("organisations", "rejected")
            continue
        if not code_in_scope(run.user, region.code):
            report.rejected.append(
                Rejection(
                    sheet.name, number, sheet.where("区划代码"), f"区划 {region.code} 不在您的管辖范围内"
                )
            )
            report.count("organisations", "rejected")
            continue
        existing = run.upserter.find(CollectiveOrg, vid)
        if existing is None and code:
            existing = CollectiveOrg.objects.filter(credit_code=code).first()
        if existing is None:
            existing = CollectiveOrg.objects.filter(region=region, name=name).first()
        if existing is not None and existing.source_id and existing.source_system != run.source:
            existing = None  # someone else's migrated row: let validation report the clash
        values = {"name": name, "credit_code": code or None, "region_id": region.code, "org_level": level}
        org = run.upserter.upsert(
            CollectiveOrg,
            vid,
            values,
            report=report,
            entity="organisations",
            sheet=sheet,
            number=number,
            labels=labels,
            existing=existing,
        )
        if org is not None:
            run.orgs[vid] = org
            report.name, report.credit_code, report.region_code = (
                org.name,
                org.credit_code or "",
                org.region_code,
            )


def load_records(run, stem: str, label: str) -> None:
    model = apps.get_model(label)
    cols = [c for c in columns_for(model) if c.name != "org"]
    fks = [c for c in cols if c.kind == "fk"]
    headers = [SOURCE_ID, ORG_ID, *(c.label for c in cols), *(f"{c.label}{SOURCE_ID}" for c in fks)]
    sheet = open_sheet(run.folder, stem, headers)
    if sheet is None:
        return
    entity = stem
    if sheet.unknown:
        run.unassigned.warnings.append(
            f"{sheet.name}：以下列无法识别，已忽略：{'、'.join(sheet.unknown[:10])}"
        )
    present = {normalise_header(c.label)[0]: c for c in cols}
    present = {k: c for k, c in present.items() if k in sheet.letters}
    by_source = {c.name: f"{c.label}{SOURCE_ID}" for c in fks if f"{c.label}{SOURCE_ID}" in sheet.letters}
    missing = [c.label for c in cols if c.required and c.label not in present and c.name not in by_source]
    resolvers = {c.related: FkResolver(c.related, user=run.user) for c in fks if c.label in present}
    labels = {c.name: c.label for c in cols} | {"org": ORG_ID}
    for number, row in sheet.rows:
        report, org = run.org_of(sheet, number, row)
        if org is None:
            report.count(entity, "rejected")
            continue
        sid = text(row.get(SOURCE_ID))
        if missing or not sid:
            reason = (
                f"缺少必填列：{'、'.join(missing)}"
                if missing
                else "来源编号不能为空（用于重复迁移时识别同一条记录）"
            )
            report.rejected.append(
                Rejection(sheet.name, number, "整行" if missing else sheet.where(SOURCE_ID), reason)
            )
            report.count(entity, "rejected")
            continue
        values = {"org_id": org.pk}
        errors = []
        for header, col in present.items():
            if col.name in by_source and row.get(by_source[col.name]) not in (None, ""):
                continue
            try:
                value = col.convert(row.get(header), 1, resolvers.get(col.related))
            except Required as exc:
                if col.field.null or col.name in by_source:
                    continue
                errors.append((header, str(exc)))
                continue
            except ValueError as exc:
                errors.append((header, str(exc)))
                continue
            if isinstance(value, Masked):
                errors.append((header, "迁移文件必须提供完整号码，不能是带 * 的脱敏号码"))
                continue
            values[col.attname] = value
        for name, header in by_source.items():
            ref = text(row.get(header))
            if not ref:
                continue
            col = next(c for c in fks if c.name == name)
            pk = (
                col.related._default_manager.filter(source_system=run.source, source_id=ref)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is None:
                errors.append(
                    (header, f"来源编号“{ref}”在本次导出的{col.related._meta.verbose_name}中找不到")
                )
            else:
                values[col.attname] = pk
        if errors:
            for header, message in errors:
                report.rejected.append(Rejection(sheet.name, number, sheet.where(header), message))
            report.count(entity, "rejected")
            continue
        run.upserter.upsert(
            model, sid, values, report=report, entity=entity, sheet=sheet, number=number, labels=labels
        )


def org_of(run, sheet: Sheet, number: int, row: dict) -> tuple[OrgReport, CollectiveOrg | None]:
    vid = text(row.get(ORG_ID))
    if not vid:
        run.unassigned.rejected.append(Rejection(sheet.name, number, sheet.where(ORG_ID), "组织编号不能为空"))
        return run.unassigned, None
    org = run.orgs.get(vid)
    report = run.report_for(vid)
    if org is None:
        report.rejected.append(
            Rejection(
                sheet.name,
                number,
                sheet.where(ORG_ID),
                f"组织编号“{vid}”不在 organisations 文件中（或该组织的行被拒绝），本行无法归属",
            )
        )
    return report, org
