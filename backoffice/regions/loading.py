"""Loading the official region table (NBS 统计用区划代码) from csv or xlsx, idempotently.

Used by ``manage.py load_regions FILE``, by the reference-data migration and by ``seed_demo``.
Policy: valid rows are loaded, invalid rows are reported by line and skipped (``strict=True`` refuses
the whole file instead). Rows are never deleted; a changed name or parent updates the row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from backoffice.core.scope import SIGNIFICANT_DIGITS, level_of_code

from .validators import region_code_problem

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_FILE = DATA_DIR / "shanxi_regions.csv"

HEADER_ALIASES = {
    "code": {"code", "区划代码", "代码", "统计用区划代码", "行政区划代码"},
    "name": {"name", "名称", "区划名称", "单位名称"},
    "level": {"level", "级别", "层级"},
    "parent_code": {"parent_code", "parent", "上级代码", "上级区划代码"},
    "urban_rural_class": {"urban_rural_class", "城乡分类代码", "城乡分类"},
}
URBAN_RURAL_CLASSES = {"111", "112", "121", "122", "123", "210", "220"}


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors) and self.created == self.updated == self.unchanged == 0

    def summary(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，错误 {len(self.errors)}"


class RegionFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u00a0", " ").strip()


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs with canonical keys; raises RegionFileError with a Chinese message."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xls", ".xlsm"}:
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # calamine raises its own error types for corrupt files
            raise RegionFileError(f"文件“{name}”无法作为Excel读取：{exc}") from exc
        table = [[_cell_text(v) for v in row] for row in sheet]
    elif suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RegionFileError(f"文件“{name}”既不是UTF-8也不是GBK编码，请另存为UTF-8 CSV。")
        table = [[_cell_text(v) for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise RegionFileError(f"文件“{name}”的格式不受支持：请使用 .csv 或 .xlsx。")
    if not table:
        raise RegionFileError(f"文件“{name}”是空的。")
    header = table[0]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        for key, aliases in HEADER_ALIASES.items():
            if title.lower() in aliases and key not in columns:
                columns[key] = index
    missing = [k for k in ("code", "name") if k not in columns]
    if missing:
        raise RegionFileError(
            f"文件“{name}”第1行缺少必需的列：{'、'.join(missing)}（可用列名：区划代码/code、名称/name，"
            "可选：级别/level、上级代码/parent_code、城乡分类代码）。"
        )
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        rows.append((line, {k: values[i] if i < len(values) else "" for k, i in columns.items()}))
    return rows


def load_region_rows(
    region_model, rows, *, file_label: str, edition_year: int | None = None, strict: bool = False
) -> LoadReport:
    """Upsert regions from canonical rows. ``region_model`` may be a historical model (migrations)."""
    report = LoadReport()
    existing = {r.code: r for r in region_model.objects.all()}
    incoming: dict[str, dict] = {}
    for line, row in rows:
        code = row["code"].replace(" ", "")
        where = f"{file_label} 第{line}行"
        level_text = row.get("level", "")
        level = None
        if level_text:
            if not level_text.isdigit() or not 1 <= int(level_text) <= 5:
                report.errors.append(
                    f"{where}，“级别”列：“{level_text}”不是1–5之间的整数（1省 2市 3县 4乡镇 5村）"
                )
                continue
            level = int(level_text)
        problem = region_code_problem(code, level)
        if problem:
            report.errors.append(f"{where}，“区划代码”列：{problem}")
            continue
        level = level or level_of_code(code)
        if not row["name"]:
            report.errors.append(f"{where}，“名称”列为空：请填写区划名称")
            continue
        urc = row.get("urban_rural_class", "")
        if urc and urc not in URBAN_RURAL_CLASSES:
            report.errors.append(
                f"{where}，“城乡分类代码”列：“{urc}”不是有效代码（111/112/121/122/123/210/220）"
            )
            continue
        if code in incoming:
            report.errors.append(f"{where}：区划代码{code}在文件中重复出现")
            continue
        incoming[code] = {
            "code": code,
            "name": row["name"],
            "level": level,
            "parent_text": row.get("parent_code", ""),
            "urban_rural_class": urc,
            "line": line,
        }
    known = set(existing) | set(incoming)
    for item in incoming.values():
        parent = _parent_code(item, known)
        if isinstance(parent, str) and parent.startswith("!"):
            report.errors.append(f"{file_label} 第{item['line']}行，“上级代码”列：{parent[1:]}")
            item["invalid"] = True
        item["parent"] = parent
    valid = [i for i in incoming.values() if not i.get("invalid")]
    if strict and report.errors:
        return report
    to_create, to_update = [], []
    for item in sorted(valid, key=lambda i: i["level"]):
        current = existing.get(item["code"])
        values = {"name": item["name"], "level": item["level"], "parent_id": item["parent"]}
        if item["urban_rural_class"]:
            values["urban_rural_class"] = item["urban_rural_class"]
        if edition_year:
            values["edition_year"] = edition_year
        if current is None:
            to_create.append(region_model(code=item["code"], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
        else:
            report.unchanged += 1
    with transaction.atomic():
        region_model.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            region_model.objects.bulk_update(
                to_update,
                ["name", "level", "parent_id", "urban_rural_class", "edition_year"],
                batch_size=2000,
            )
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _parent_code(item: dict, known: set[str]) -> str | None:
    """The parent: as given (checked against the code's prefix), else the level above.

    Only the county level may be skipped: since 2019 some cities have towns directly under them
    (DOMAIN.md §1.1). A village whose township is unknown is an error, never attached higher up."""
    code, level = item["code"], item["level"]
    given = item["parent_text"].replace(" ", "")
    if level == 1:
        return None
    if given:
        if given not in known:
            return f"!上级区划{given}不存在：请先导入上级区划，或与本区划写在同一文件中"
        parent_level = level_of_code(given)
        if parent_level >= level or not code.startswith(given[: SIGNIFICANT_DIGITS[parent_level]]):
            return f"!上级区划{given}与代码{code}的前缀不一致"
        return given
    candidates = [level - 1] + ([2] if level == 4 else [])
    for parent_level in candidates:
        candidate = code[: SIGNIFICANT_DIGITS[parent_level]].ljust(12, "0")
        if candidate in known:
            return candidate
    expected = code[: SIGNIFICANT_DIGITS[level - 1]].ljust(12, "0")
    return f"!找不到{code}的上级区划{expected}：请先导入上级区划，或与本区划写在同一文件中"


def load_region_file(
    region_model, path: Path, *, edition_year: int | None = None, strict: bool = False
) -> LoadReport:
    return load_region_rows(
        region_model,
        read_rows(path),
        file_label=f"文件“{path.name}”",
        edition_year=edition_year,
        strict=strict,
    )
