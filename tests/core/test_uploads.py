"""The upload gate (backoffice.core.uploads): size and type limits judged by content, zip bombs, XML
entities, path traversal inside the archive, untrusted file names; and a fuzz property that any bytes
under any name give either acceptance or a Chinese rejection, never another exception."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.core.uploads import DOCUMENT, UploadRejected, inspect_upload, safe_upload_name


def _xlsx(rows=3) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet()
    for r in range(rows):
        sheet.write_row(r, 0, ["合同编号", r, 2.5])
    book.close()
    return buf.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buf.getvalue()


def _rejected(data: bytes, name: str, kind=None) -> str:
    with pytest.raises(UploadRejected) as info:
        inspect_upload(data, name) if kind is None else inspect_upload(data, name, kind)
    return str(info.value)


def test_real_workbook_and_csv_pass():
    inspect_upload(_xlsx(2000), "合同台账.xlsx")
    inspect_upload("合同编号,金额\nHT-1,100\n".encode("gbk"), "合同.csv")


def test_size_limit(settings):
    settings.UPLOAD_MAX_MB = 1
    message = _rejected(b"a,b\n" * 300_000, "大文件.csv")
    assert "大文件.csv" in message and "超过上限 1 MB" in message


def test_empty_file_refused():
    assert "空文件" in _rejected(b"", "x.csv")


def test_type_judged_by_content_not_name():
    assert "只接受" in _rejected(b"MZ\x90\x00", "setup.exe")
    assert "与扩展名 .xlsx 不符" in _rejected(b"MZ\x90\x00" + b"\x00" * 100, "账目.xlsx")
    assert "不是文本格式" in _rejected(_xlsx(), "伪装.csv")
    assert "网页" in _rejected(b"<html><script>alert(1)</script></html>", "page.csv")


def test_zip_bomb_refused():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * 30_000_000})
    assert len(bomb) < 100_000
    assert "压缩炸弹" in _rejected(bomb, "bomb.xlsx")


def test_declared_total_ceiling(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 1
    big = _xlsx(30_000)
    assert "解压后超过 1 MB" in _rejected(big, "big.xlsx")


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_xml_entities_refused(xml):
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": xml})
    assert "DTD/实体声明" in _rejected(data, "entities.xlsx")


def test_path_traversal_inside_archive_refused():
    data = _zip({"../../etc/cron.d/x": b"boom", "[Content_Types].xml": b"<Types/>"})
    assert "非法的内部路径" in _rejected(data, "evil.xlsx")


def test_corrupt_zip_refused():
    assert "压缩结构损坏" in _rejected(b"PK\x03\x04" + b"\x00" * 64, "broken.xlsx")


def test_attachments_allow_documents_only():
    inspect_upload(b"%PDF-1.7\n...", "村民代表会议决议.pdf", DOCUMENT)
    assert "只接受" in _rejected(b"<svg onload=alert(1)>", "x.svg", DOCUMENT)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\会计\\Desktop\\合同台账.xlsx", "合同台账.xlsx"),
        ("a\x00b\r\n.csv", "ab.csv"),
        ('<script>"x".xlsx', "_script_x_.xlsx"),
        ("", "upload"),
        ("...", "upload"),
        ("x" * 300 + ".XLSX", "x" * 115 + ".xlsx"),
    ],
)
def test_safe_upload_name(name, expected):
    assert safe_upload_name(name) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=512).map(lambda tail: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail),
    ),
    name=st.one_of(
        st.text(max_size=40),
        st.sampled_from(["a.xlsx", "b.csv", "c.xls", "d.xlsm", "e.pdf", "../f.xlsx", "g"]),
    ),
)
def test_fuzz_any_bytes_any_name_gives_acceptance_or_a_chinese_message(data, name):
    try:
        inspect_upload(data, name)
    except UploadRejected as exc:
        message = str(exc)
        assert message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
