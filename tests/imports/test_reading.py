"""Messy real-world sheets (issue 4 item 4): read correctly or refused with a precise message."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from imports.reading import ReadError, code_text, parse_date, parse_decimal, read_table
from imports.resources import columns_for, header_index

from .conftest import workbook


@pytest.fixture
def known():
    from backoffice.contracts.models import Contract

    return header_index(Contract)


def rows_of(table):
    return list(table.rows)


def test_title_rows_and_merged_title_above_the_header(known):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["清源镇2024年合同台账"])
    sheet.merge_cells("A1:E1")
    sheet.append(["填报单位：清泉湖社区", None, None, "单位：元"])
    sheet.append(["合同编号", "合同名称", "合同类型", None, "合同总金额"])
    sheet.append(["HT-1", "出租", "出租", None, 100])
    sheet.merge_cells("C3:D3")  # a merged header cell spanning two columns
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "台账.xlsx", known)
    assert table.header_row == 3
    assert {label for label, _ in table.columns.values()} >= {
        "合同编号",
        "合同名称",
        "合同类型",
        "合同总金额",
    }
    assert rows_of(table)[0][0] == 4


def test_two_row_header_with_cells_merged_down(known):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["合同编号", "金额", None])
    sheet.append([None, "单价", "合同总金额"])
    sheet.append(["HT-1", 5, 10])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "两行表头.xlsx", known)
    assert table.header_row == 2
    assert sorted(label for label, _ in table.columns.values()) == sorted(["合同编号", "单价", "合同总金额"])
    assert rows_of(table) == [(3, ["HT-1", 5.0, 10.0])] or rows_of(table)[0][1][0] == "HT-1"


def test_no_header_is_refused_with_file_name(known):
    with pytest.raises(ReadError, match=r"“x.xlsx”.*找不到表头"):
        read_table(workbook([["a", "b"], [1, 2]]), "x.xlsx", known)


def test_duplicate_header_names_both_columns(known):
    with pytest.raises(ReadError, match=r"第 1 行.*合同编号.*A 列.*C 列"):
        read_table(workbook([["合同编号", "合同名称", "合同编号"]]), "x.xlsx", known)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(known, encoding):
    text = '合同编号,合同名称,合同总金额\nHT-001,集体土地出租,"1,234.50"\n\n'
    table = read_table(text.encode(encoding), "合同.csv", known)
    assert rows_of(table) == [(2, ["HT-001", "集体土地出租", "1,234.50"])]


def test_undecodable_csv_is_refused():
    # bytes that are text to the upload gate (no NUL) but neither UTF-8 nor GBK
    with pytest.raises(ReadError, match="UTF-8 或 GBK"):
        read_table(b"\xff\xfe\x81\xff" * 10, "bad.csv", {"x": 1})


def test_binary_file_named_csv_is_refused():
    with pytest.raises(ReadError, match="不是文本格式的 CSV"):
        read_table(b"\xff\xfe\x00\x81\x00" * 10, "bad.csv", {"x": 1})


def test_unsupported_extension_is_refused(known):
    with pytest.raises(ReadError, match=r"只接受 \.xlsx、\.xlsm、\.xls、\.csv"):
        read_table(b"x", "a.pdf", known)


def test_hidden_columns_ignored_unless_known(known):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["合同编号", "内部备注", "合同名称"])
    sheet.append(["HT-1", "随便", "名称"])
    sheet.column_dimensions["B"].hidden = True
    sheet.column_dimensions["C"].hidden = True
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "h.xlsx", known)
    assert table.unknown_headers == []  # the hidden unknown column is ignored
    assert {label for label, _ in table.columns.values()} == {
        "合同编号",
        "合同名称",
    }  # hidden but known: read
    assert table.warnings and "隐藏列" in table.warnings[0]


def test_unknown_visible_header_is_reported(known):
    table = read_table(workbook([["合同编号", "瞎写的列"], ["HT", "x"]]), "u.xlsx", known)
    assert table.unknown_headers == ["B列“瞎写的列”"]


def test_formula_cells_are_read_as_cached_values(known):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["合同编号", "单价", "数量", "合同总金额"])
    sheet.write_row(1, 0, ["HT-1", 10, 3])
    sheet.write_formula(1, 3, "=B2*C2", None, 30)
    book.close()
    assert rows_of(read_table(out.getvalue(), "f.xlsx", known))[0][1][3] == 30


def test_empty_rows_skipped_and_row_numbers_kept(known):
    table = read_table(workbook([["合同编号"], ["A"], [None], ["  "], ["B"]]), "e.xlsx", known)
    assert [n for n, _ in table.rows] == [2, 5]


def test_wanyuan_header_scales(known):
    table = read_table(workbook([["合同编号", "合同总金额（万元）"], ["A", 1.5]]), "w.xlsx", known)
    assert ("合同总金额", 10000) in table.columns.values()
    column = next(c for c in columns_for(known["合同编号"].field.model) if c.name == "total_amount")
    assert column.convert(1.5, 10000) == Decimal("15000.00")


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 0, 0),
        45352,
        45352.0,
        "2024-03-01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "20240301",
        20240301,
        "２０２４－０３－０１",
        " 2024-03-01 ",
    ],
)
def test_dates(raw):
    assert parse_date(raw) == dt.date(2024, 3, 1)


def test_bad_date_message():
    with pytest.raises(ValueError, match="不是有效的日期"):
        parse_date("2024-02-30")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1,234.56", "1234.56"),
        ("1，234.56元", "1234.56"),
        ("¥1234.5", "1234.5"),
        ("１２３４．５", "1234.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (3, "3"),
        (3.0, "3.0"),
        ("\u00a012 ", "12"),
        ("(12)", "-12"),
    ],
)
def test_amounts(raw, expected):
    assert parse_decimal(raw) == Decimal(expected)


def test_decimal_column_rounds_half_up_and_reports_bad_values():
    from backoffice.contracts.models import Contract

    column = next(c for c in columns_for(Contract) if c.name == "total_amount")
    assert column.convert(0.1 + 0.2) == Decimal("0.30")
    assert column.convert("2.345") == Decimal("2.35")
    assert column.convert("1,000元") == Decimal("1000.00")
    with pytest.raises(ValueError, match="不是有效的数字或金额"):
        column.convert("十万")


def test_codes_keep_leading_zeros_and_lose_excel_float_tail():
    assert code_text("00123") == "00123"
    assert code_text(1234.0) == "1234"
    assert code_text("ＨＴ－００１") == "HT-001"


def test_choice_accepts_label_or_code_and_lists_allowed():
    from backoffice.contracts.models import Contract

    column = next(c for c in columns_for(Contract) if c.name == "contract_type")
    assert column.convert("出租") == column.convert("lease") == "lease"
    with pytest.raises(ValueError, match=r"可选：.*出租"):
        column.convert("租赁")


def test_text_keeps_fullwidth_punctuation_but_strips_nbsp():
    from backoffice.contracts.models import Contract

    column = next(c for c in columns_for(Contract) if c.name == "name")
    assert column.convert("\u00a0集体土地（东片）出租合同\u3000 ") == "集体土地（东片）出租合同"
    key = next(c for c in columns_for(Contract) if c.name == "contract_no")
    assert key.convert("ＨＴ－００１ ") == "HT-001"
