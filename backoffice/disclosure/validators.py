"""Validators of 财务公开: disclosure periods, evidence files, and the masking rule for published
tables (DOMAIN.md §2.6, §8). Evidence-file validators are shared with other modules' optional photos."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from .choices import DisclosurePeriodType

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
}
QUARTER_RE = re.compile(r"^(?P<year>\d{4})Q(?P<quarter>[1-4])$")
MONTH_RE = re.compile(r"^(?P<year>\d{4})(?P<month>0[1-9]|1[0-2])$")
#: an unmasked resident ID (18 chars) or bank account/card (16–19 digits) inside published text
UNMASKED_ID_RE = re.compile(r"(?<![\dX])\d{17}[\dX](?![\dX])", re.IGNORECASE)
UNMASKED_ACCOUNT_RE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


def _is_new_upload(value: Any) -> bool:
    # A FieldFile already in storage is not re-read on every full_clean(); only a new upload is checked.
    return getattr(value, "_committed", False) is False


def validate_evidence_file_type(value: Any) -> None:
    """Only JPG, PNG or PDF, and the content must match the extension (a renamed .exe is refused)."""
    name = getattr(value, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_SIGNATURES:
        raise ValidationError(
            f"文件“{name}”的类型不允许：只能上传 JPG、PNG 照片或 PDF 文件", code="evidence_file_type"
        )
    if not _is_new_upload(value):
        return
    position = value.tell() if hasattr(value, "tell") else 0
    value.seek(0)
    head = value.read(8)
    value.seek(position)
    if not any(head.startswith(sig) for sig in EVIDENCE_SIGNATURES[extension]):
        raise ValidationError(
            f"文件“{name}”的内容不是有效的 {extension.upper()} 文件，请上传原始照片或扫描件",
            code="evidence_file_content",
        )


def validate_evidence_file_size(value: Any) -> None:
    """At most 10 MB per file."""
    if not _is_new_upload(value):
        return
    size = getattr(value, "size", 0) or 0
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"文件大小为 {size / 1024 / 1024:.1f} MB，超过 10 MB 上限，请压缩后再上传",
            code="evidence_file_size",
        )


EVIDENCE_VALIDATORS = [validate_evidence_file_type, validate_evidence_file_size]


def period_problem(period_type: str, period: str) -> str | None:
    """Why ``period`` is not a valid label for ``period_type`` (2025Q3, 202509; free text for special)."""
    if period_type == DisclosurePeriodType.QUARTERLY and not QUARTER_RE.match(period or ""):
        return f"季度公开的期间“{period}”格式应为“年份Q季度”，例如 2025Q3"
    if period_type == DisclosurePeriodType.MONTHLY and not MONTH_RE.match(period or ""):
        return f"月度公开的期间“{period}”格式应为“年份月份”六位数字，例如 202509"
    if not (period or "").strip():
        return "请填写公开期间，专项或即时公开可填写事项名称，例如“2025-征地补偿”"
    return None


def period_end(period_type: str, period: str) -> date | None:
    """Last day of a quarterly or monthly period; None for special/ad-hoc disclosures."""
    if period_type == DisclosurePeriodType.QUARTERLY and (m := QUARTER_RE.match(period or "")):
        year, month = int(m["year"]), int(m["quarter"]) * 3
        return date(year, month, monthrange(year, month)[1])
    if period_type == DisclosurePeriodType.MONTHLY and (m := MONTH_RE.match(period or "")):
        year, month = int(m["year"]), int(m["month"])
        return date(year, month, monthrange(year, month)[1])
    return None


def quarter_label(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def unmasked_personal_data(value: Any, path: str = "") -> list[str]:
    """Paths inside a JSON value (published tables) that hold an unmasked ID number or bank account."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += unmasked_personal_data(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unmasked_personal_data(item, f"{path}[{index}]")
    elif isinstance(value, str) and (UNMASKED_ID_RE.search(value) or UNMASKED_ACCOUNT_RE.search(value)):
        found.append(path or "(根)")
    return found
