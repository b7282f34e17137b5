"""The export folder: one file per entity (CSV or xlsx, same stem), read with the shared messy-sheet reader.

The folder layout (organisations, accounts, vouchers, voucher_lines, balances, then the record files) and
every column are documented in imports/history/README.md and docs/guide/数据导入.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from backoffice.accounting.choices import ChartVersion
from backoffice.accounting.models import CHART_2023_FIRST_PERIOD

from ..reading import column_letter, is_blank, normalise_header, parse_decimal, read_table

EXTENSIONS = (".csv", ".xlsx", ".xls")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CHARTS = {
    "2004": "2004",
    "2023": "2023",
    "旧制度": "2004",
    "新制度": "2023",
    "2004版": "2004",
    "2023版": "2023",
}


@dataclass
class Sheet:
    name: str
    #: (row number as the user sees it, normalised header → raw cell)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    #: normalised header → "C列“科目编码”"
    letters: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def where(self, label: str) -> str:
        return self.letters.get(label, f"列“{label}”")


def find(folder: Path, stem: str) -> Path | None:
    for ext in EXTENSIONS:
        path = folder / f"{stem}{ext}"
        if path.is_file():
            return path
    return None


def open_sheet(folder: Path, stem: str, headers: list[str]) -> Sheet | None:
    """The entity file's rows keyed by normalised header, or None when the export has no such file."""
    path = find(folder, stem)
    if path is None:
        return None
    known = {normalise_header(h)[0]: h for h in headers}
    table = read_table(path.read_bytes(), path.name, known)
    sheet = Sheet(path.name, unknown=list(table.unknown_headers))
    by_index = {}
    for index, (label, _scale) in table.columns.items():
        by_index[index] = label
        sheet.letters[label] = f"{column_letter(index)}列“{label}”"
    for number, cells in table.rows:
        sheet.rows.append(
            (number, {label: (cells[i] if i < len(cells) else None) for i, label in by_index.items()})
        )
    return sheet


def text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    from ..reading import to_halfwidth

    return to_halfwidth(str(value)).strip()


def free_text(value: Any) -> str:
    """Names and summaries: full-width punctuation inside Chinese text kept as typed."""
    if is_blank(value):
        return ""
    from ..reading import normalise_text

    return normalise_text(str(value))


def money(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    return parse_decimal(value).quantize(CENT)


def chart_of(value, period: str = "") -> str | None:
    raw = text(value)
    if raw:
        return CHARTS.get(raw)
    if period:
        return ChartVersion.V2004 if period < CHART_2023_FIRST_PERIOD else ChartVersion.V2023
    return ChartVersion.V2004
