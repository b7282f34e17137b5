"""Reading messy real-world sheets (DESIGN.md §5, issue 4 item 4).

``read_table(data, filename, headers)`` opens ``.xlsx``/``.xls`` (python-calamine: formula cells come back as
their cached values) or ``.csv`` (UTF-8 with or without BOM, GB18030/GBK), finds the header row below any
title rows by matching the known Chinese headers of the target record type, fills merged header cells, drops
hidden columns unless they carry a known header, skips empty rows and normalises text cells (full-width
digits and punctuation to half-width, non-breaking and trailing spaces). Typed conversion (numbers, dates,
codes) is per column, in ``resources.py``; the helpers it uses live here.

Every problem is a ``ReadError`` whose Chinese message names the file, the row, the column and the fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from backoffice.core.uploads import UploadRejected, inspect_upload

#: the hidden sheet of our templates that carries the version stamp
STAMP_SHEET = "_模板信息"
#: header rows are searched for among the first rows of a sheet
HEADER_SCAN_ROWS = 30
#: columns a re-uploaded error workbook (or a numbered sheet) may carry besides the record's own
IGNORED_HEADERS = frozenset({"错误说明", "序号", "行号"})

_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: None})
_FULLWIDTH.update({0xFEFF: None, 0x3002: ord(".")})  # 。 as a decimal point only happens in numbers


class ReadError(ValueError):
    """A file that cannot be read as a table of the target type; the message is for the user."""


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width; NBSP and ideographic spaces to spaces."""
    if text.isascii():
        return text.strip()
    return text.translate(_TEXT_TABLE).strip()


# In free text keep the Chinese full stop and comma: only digits, letters, brackets and spaces are folded.
_TEXT_TABLE = {k: v for k, v in _FULLWIDTH.items() if k != 0x3002}


def normalise_text(value: str) -> str:
    """Free text (names, notes): only non-breaking/ideographic spaces at the ends and trailing spaces go;
    full-width punctuation inside Chinese text is kept as typed."""
    return value.replace("\u00a0", " ").replace("\ufeff", "").strip(" \t\r\n\u3000")


def normalise_header(value: object) -> tuple[str, int]:
    """A header cell as a comparable label and a scale (10,000 when the header says 万元).

    ``"合同总金额（万元）*"`` → ``("合同总金额", 10000)``; ``" 起始 日期 "`` → ``("起始日期", 1)``.
    """
    text = to_halfwidth(str(value or "")).replace("\n", "").replace(" ", "").strip("*")
    scale = 10000 if "万元" in text else 1
    text = re.sub(r"\((?:单位[:：]?)?(?:万?元|亩|元/[^)]*|必填)\)$", "", text)
    return text.strip("*"), scale


@dataclass
class Table:
    """A sheet reduced to a header and data rows; row numbers are 1-based as the user sees them."""

    filename: str
    header_row: int
    #: column index → (normalised header, scale); only known headers are kept
    columns: dict[int, tuple[str, int]]
    #: the raw header texts, for messages and the error workbook
    raw_headers: list[str]
    unknown_headers: list[str]
    rows: Iterator[tuple[int, list]]
    stamp: str | None = None
    warnings: list[str] = field(default_factory=list)
    estimated_rows: int = 0


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _is_empty(row: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _hidden_xlsx_columns(data: bytes, sheet_index: int = 0) -> set[int]:
    """Hidden columns of an xlsx sheet, read from its <cols> element (calamine does not expose them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = sorted(
                (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                key=lambda n: int(re.findall(r"\d+", n)[0]),
            )
            if not names:
                return set()
            with archive.open(names[min(sheet_index, len(names) - 1)]) as stream:
                head = stream.read(65536).decode("utf-8", "ignore")
    except (zipfile.BadZipFile, KeyError, OSError):
        return set()
    cols = head.split("<sheetData", 1)[0]
    hidden: set[int] = set()
    for attrs in re.findall(r"<(?:\w+:)?col\s([^>]*)/?>", cols):
        if re.search(r'hidden="(1|true)"', attrs):
            low = int(re.search(r'min="(\d+)"', attrs).group(1))
            high = int(re.search(r'max="(\d+)"', attrs).group(1))
            hidden.update(range(low - 1, min(high, 16384)))
    return hidden


def _decode_csv(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"文件“{filename}”不是 UTF-8 或 GBK 编码的 CSV，无法读取；"
            "请在 Excel 中另存为“CSV UTF-8”或 xlsx 后重新上传。"
        ) from exc


def _open_rows(data: bytes, filename: str) -> tuple[Iterator[list], list, set[int], str | None, int]:
    """(rows, merged ranges, hidden columns, version stamp, row estimate) of the first visible sheet."""
    try:  # every path in (admin, command line, bank feed, history) passes the same content checks
        inspect_upload(data, filename, limit_size=False)
    except UploadRejected as exc:
        raise ReadError(str(exc)) from exc
    name = filename.lower()
    if name.endswith(".csv"):
        text = _decode_csv(data, filename)
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        return iter(csv.reader(io.StringIO(text), delimiter=delimiter)), [], set(), None, text.count("\n")
    if not name.endswith((".xlsx", ".xlsm", ".xls")):
        raise ReadError(f"文件“{filename}”的格式不受支持；请上传 .xlsx、.xls 或 .csv 文件。")
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, Exception) as exc:  # calamine raises several unrelated types on a bad file
        raise ReadError(
            f"文件“{filename}”无法作为 Excel 工作簿打开（{type(exc).__name__}）；请确认文件未损坏、未加密，"
            "或在 Excel 中另存为 xlsx 后重新上传。"
        ) from exc
    stamp = None
    meta = book.sheets_metadata
    if STAMP_SHEET in book.sheet_names:
        cells = book.get_sheet_by_name(STAMP_SHEET).to_python()
        stamp = str(cells[0][1]) if cells and len(cells[0]) > 1 else None
    index = next(
        (
            i
            for i, m in enumerate(meta)
            if m.visible == SheetVisibleEnum.Visible
            and m.name != STAMP_SHEET
            and not m.name.startswith("填写说明")
        ),
        0,
    )
    sheet = book.get_sheet_by_index(index)
    merged = list(sheet.merged_cell_ranges or []) if hasattr(sheet, "merged_cell_ranges") else []
    hidden = _hidden_xlsx_columns(data, index) if name.endswith((".xlsx", ".xlsm")) else set()
    return iter(sheet.iter_rows()), merged, hidden, stamp, sheet.height


def read_stamp(data: bytes, filename: str) -> str | None:
    """The version stamp of one of our templates or exports (None for any other file)."""
    if not filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return None
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if STAMP_SHEET not in book.sheet_names:
            return None
        cells = book.get_sheet_by_name(STAMP_SHEET).to_python()
    except Exception:
        return None
    return str(cells[0][1]) if cells and len(cells[0]) > 1 else None


def read_table(data: bytes, filename: str, known: dict[str, object]) -> Table:
    """Open ``data`` and locate the header row by the ``known`` normalised header labels of the target."""
    rows, merged, hidden, stamp, estimate = _open_rows(data, filename)
    head: list[list] = []
    for _ in range(HEADER_SCAN_ROWS):
        try:
            head.append(list(next(rows)))
        except StopIteration:
            break
    # merged cells: a header merged down over two header rows ("合同编号" beside "金额" over "单价 | 总额")
    # fills downwards; across, only the first column of a merged range carries the value (data rows of such
    # sheets are merged the same way, so the value sits in the first column too)
    for (r0, c0), (r1, _c1) in merged:
        if r0 >= len(head) or c0 >= len(head[r0]):
            continue
        value = head[r0][c0]
        for r in range(r0 + 1, min(r1, len(head) - 1) + 1):
            while len(head[r]) <= c0:
                head[r].append(None)
            if head[r][c0] in (None, ""):
                head[r][c0] = value
    best, best_hits = -1, 0
    for r, row in enumerate(head):
        hits = sum(1 for v in row if isinstance(v, str) and normalise_header(v)[0] in known)
        if hits > best_hits:
            best, best_hits = r, hits
    if best < 0:
        sample = "、".join(list(known)[:6])
        raise ReadError(
            f"文件“{filename}”的前 {len(head)} 行中找不到表头（应包含“{sample}”等列名）；"
            "请使用下载的导入模板，或把表头放在数据上方的一行中。"
        )
    header = head[best]
    columns: dict[int, tuple[str, int]] = {}
    unknown: list[str] = []
    raw_headers: list[str] = []
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for c, value in enumerate(header):
        text = "" if value is None else str(value)
        raw_headers.append(text)
        label, scale = normalise_header(text)
        if not label:
            continue
        if label in known:
            if label in seen:
                raise ReadError(
                    f"文件“{filename}”第 {best + 1} 行：列名“{label}”出现了两次"
                    f"（第 {column_letter(seen[label])} 列和第 "
                    f"{column_letter(c)} 列）；请删除重复的一列。"
                )
            seen[label] = c
            columns[c] = (label, scale)
            if c in hidden:
                warnings.append(f"第 {column_letter(c)} 列“{label}”是隐藏列，因列名可识别仍已读取。")
        elif c in hidden or label in IGNORED_HEADERS:
            continue
        else:
            unknown.append(f"{column_letter(c)}列“{text.strip()}”")
    header_row = best + 1
    remaining = head[best + 1 :]

    def data_rows() -> Iterator[tuple[int, list]]:
        number = header_row
        for row in remaining:
            number += 1
            if not _is_empty(row):
                yield number, row
        for row in rows:
            number += 1
            if not _is_empty(row):
                yield number, row

    return Table(
        filename,
        header_row,
        columns,
        raw_headers,
        unknown,
        data_rows(),
        stamp,
        warnings,
        max(estimate - header_row, 0),
    )


# ---- typed conversion helpers (used by the column converters in resources.py) ---------------------------
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> dt.date:
    """Excel serial, date/datetime, 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000101 <= value <= 21001231 and float(value).is_integer():
            return parse_date(str(int(value)))
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"“{value}”不是有效的日期")
    text = to_halfwidth(str(value)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups()[:3])
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    if re.fullmatch(r"\d+(\.0+)?", text) and 1 <= float(text) < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    raise ValueError(f"“{value}”不是有效的日期，请写成 2024-03-01 或 2024年3月1日")


def parse_time(value: object) -> dt.time:
    """08:30, 8:30:15, a datetime/time cell, or Excel's day fraction (0.354166…)."""
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.timedelta):
        return (dt.datetime.min + value).time()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = to_halfwidth(str(value)).replace("：", ":").replace(" ", "")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text) or re.fullmatch(
        r"(\d{1,2})时(\d{1,2})分(?:(\d{1,2})秒)?", text
    )
    if match:
        try:
            return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        except ValueError:
            pass
    raise ValueError(f"“{value}”不是有效的时间，请写成 08:30")


_AMOUNT_STRIP = re.compile(r"[,\s¥￥]|元$|人民币")


def parse_decimal(value: object) -> Decimal:
    """A number as Decimal: floats via their shortest repr (0.1+0.2 → 0.30000000000000004 is rounded later),
    text with thousands separators, a 元 or ¥ sign, full-width digits, a trailing % (÷100)."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _AMOUNT_STRIP.sub("", to_halfwidth(str(value)).replace("。", "."))
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是有效的数字或金额") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是有效的数字或金额")
    return number / 100 if percent else number


def code_text(value: object) -> str:
    """A code or other text cell: Excel's 1234.0 back to "1234"; text kept as typed (leading zeros)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return to_halfwidth(str(value))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == ""


def normalise_unicode(value: str) -> str:
    return unicodedata.normalize("NFC", value)
