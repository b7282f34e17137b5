"""Uploaded files are hostile until proven otherwise (issue #8 item 4, DOMAIN.md §8).

``inspect_upload(data, filename)`` is the one gate every upload passes (import workbooks, bank statements,
history exports, trading attachments) before any parser sees it:

* the size limit (``UPLOAD_MAX_MB``, default 200) and an allow-list of types, judged by the file's first
  bytes as well as its name, so a renamed executable or HTML page is refused;
* for zip-based Office files (xlsx/xlsm/docx): a zip-bomb guard reading only the central directory
  (entry count, declared uncompressed total, compression ratio) and an XML guard that refuses any part
  declaring a DTD or entities (billion laughs, external entities) — openpyxl would use defusedxml anyway,
  but python-calamine's parser and our own small XML reads do not promise that;
* the file name is never trusted: ``safe_upload_name`` keeps only a cleaned base name and the extension.

Rejections raise ``UploadRejected`` whose message (Chinese) names the file and what to do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings

#: Limits; settings may override. A 1,000,000-row contracts sheet is ~90 MB zipped, ~1 GB of XML.
DEFAULT_MAX_MB = 200
DEFAULT_MAX_UNCOMPRESSED_MB = 2048
MAX_ZIP_ENTRIES = 10_000
#: Real sheets compress 3–20× (200,000 identical rows: 14×); deflate tops out near 1,030×, which is what a
#: single-layer bomb uses. Nested bombs are caught by the declared-total ceiling.
MAX_COMPRESSION_RATIO = 200
#: Only parts bigger than this are held to the ratio (tiny parts compress oddly).
RATIO_FLOOR_BYTES = 1024 * 1024
XML_HEAD_BYTES = 8192

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class UploadRejected(ValueError):
    """An upload refused before parsing; the message is for the user."""


@dataclass(frozen=True)
class Kind:
    label: str
    extensions: tuple[str, ...]


SPREADSHEET = Kind("表格", (".xlsx", ".xlsm", ".xls", ".csv"))
DOCUMENT = Kind("附件", (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx", ".xls", ".doc"))

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def inspect_upload(data: bytes, filename: str, kind: Kind = SPREADSHEET, *, limit_size: bool = True) -> None:
    """Raise UploadRejected unless ``data`` is an acceptable file of ``kind`` named ``filename``.

    ``limit_size=False`` keeps every content check but not the size limit: the administrator's command
    line imports files too big for the browser."""
    shown = safe_upload_name(filename)
    limit = max_upload_bytes()
    if limit_size and len(data) > limit:
        raise UploadRejected(
            f"文件“{shown}”大小 {len(data) / 1048576:.1f} MB，超过上限 {limit // 1048576} MB；"
            "请拆分后上传，或由管理员使用命令行导入。"
        )
    if not data:
        raise UploadRejected(f"文件“{shown}”是空文件；请检查后重新上传。")
    ext = PurePosixPath(shown).suffix.lower()
    if ext not in kind.extensions:
        allowed = "、".join(kind.extensions)
        raise UploadRejected(f"文件“{shown}”的类型不受支持；{kind.label}只接受 {allowed} 文件。")
    _check_signature(data, shown, ext)
    if ext in (".xlsx", ".xlsm", ".docx"):
        _check_zip(data, shown)


def _check_signature(data: bytes, shown: str, ext: str) -> None:
    head = data[:16]
    expected = {
        ".xlsx": (ZIP_MAGIC,),
        ".xlsm": (ZIP_MAGIC,),
        ".docx": (ZIP_MAGIC,),
        ".xls": (OLE2_MAGIC,),
        ".doc": (OLE2_MAGIC,),
        ".pdf": (PDF_MAGIC,),
        ".png": (PNG_MAGIC,),
        ".jpg": (JPEG_MAGIC,),
        ".jpeg": (JPEG_MAGIC,),
    }.get(ext)
    if expected is not None:
        if not head.startswith(expected):
            raise UploadRejected(
                f"文件“{shown}”的内容与扩展名 {ext} 不符（可能被改过扩展名或已损坏）；"
                "请用原软件重新另存后上传。"
            )
        return
    # CSV: text. A NUL byte or a zip/OLE/HTML signature means it is not what it claims to be.
    sample = data[:XML_HEAD_BYTES]
    if b"\x00" in sample or head.startswith((ZIP_MAGIC, OLE2_MAGIC, PDF_MAGIC)):
        raise UploadRejected(
            f"文件“{shown}”不是文本格式的 CSV；如果是 Excel 工作簿，请保留 .xlsx 扩展名上传。"
        )
    if sample.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml")):
        raise UploadRejected(f"文件“{shown}”是网页或 XML，不是 CSV；请从 Excel 另存为 CSV 或 xlsx 后上传。")


def _check_zip(data: bytes, shown: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRejected(
            f"文件“{shown}”不是有效的 Excel/Office 文件（压缩结构损坏）；请重新另存后上传。"
        ) from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadRejected(f"文件“{shown}”内部包含 {len(infos)} 个部件，异常偏多，已拒收。")
    total = 0
    ceiling = int(getattr(settings, "UPLOAD_MAX_UNCOMPRESSED_MB", DEFAULT_MAX_UNCOMPRESSED_MB)) * 1048576
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in PurePosixPath(name).parts or ":" in name:
            raise UploadRejected(f"文件“{shown}”包含非法的内部路径“{name[:80]}”，已拒收。")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UploadRejected(
                f"文件“{shown}”的部件“{name[:80]}”压缩比 {ratio:,.0f}:1，疑似“压缩炸弹”，已拒收。"
            )
        if total > ceiling:
            raise UploadRejected(f"文件“{shown}”解压后超过 {ceiling // 1048576} MB，已拒收；请拆分后上传。")
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as part:
                head = part.read(XML_HEAD_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise UploadRejected(
                f"文件“{shown}”的部件“{info.filename[:80]}”无法读取（已损坏或加密）。"
            ) from exc
        if _DTD.search(head):
            raise UploadRejected(
                f"文件“{shown}”的部件“{info.filename[:80]}”含有 DTD/实体声明（正常的 Excel 文件不会有），"
                "出于安全原因已拒收。"
            )


def safe_upload_name(filename: str, *, max_length: int = 120) -> str:
    """A base name safe for storage and display: no directories, no control characters, bounded length,
    the extension kept. Chinese characters are kept (clerks recognise their own file names)."""
    base = PureWindowsPath(PurePosixPath(str(filename or "")).name).name
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"/\\|?*]+', "_", base).strip(" .")
    if not base:
        base = "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext[:10].lower()
    room = max_length - (len(ext) + 1 if ext else 0)
    stem = (stem or "upload")[:room]
    return f"{stem}.{ext}" if ext else stem


def check_uploaded_file(upload, kind: Kind = SPREADSHEET):
    """Form-field helper: run ``inspect_upload`` on a Django ``UploadedFile`` and turn a rejection into
    the field's ValidationError. Reads the file once and rewinds it for the caller."""
    from django import forms

    if upload.size > max_upload_bytes():  # refused before reading hundreds of megabytes into memory
        raise forms.ValidationError(
            f"文件“{safe_upload_name(upload.name)}”超过上限 {max_upload_bytes() // 1048576} MB；"
            "请拆分后上传，或由管理员使用命令行导入。"
        )
    upload.seek(0)
    try:
        inspect_upload(upload.read(), upload.name, kind)
    except UploadRejected as exc:
        raise forms.ValidationError(str(exc)) from exc
    finally:
        upload.seek(0)
    return upload
