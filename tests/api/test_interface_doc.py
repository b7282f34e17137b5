"""The interface standard (docs/api/接口标准.md, issue 10 item 4): generated from the record-type registry,
committed up to date, covering every record type, every field, every error code and the bank push with a
signing example that really verifies."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from imports.api.bankpush import PUSH_FIELDS
from imports.api.errors import ERROR_CODES
from imports.api.interface_doc import build, doc_path
from imports.api.registry import is_writable, record_types
from imports.api.signing import signature_matches
from imports.resources import columns_for


@pytest.fixture(scope="module")
def committed() -> str:
    return doc_path().read_text(encoding="utf-8")


def section(document: str, label: str) -> str:
    """The ``### 9.N <name>（`label`）`` section of a record type."""
    match = re.search(rf"^### 9\.\d+ .*（`{re.escape(label)}`）$", document, re.M)
    assert match, f"no section for {label}"
    end = document.find("\n### ", match.end())
    return document[match.start() : end if end > 0 else None]


def test_committed_document_is_up_to_date():
    call_command("api_interface_doc", "--check")  # raises CommandError when stale


def test_check_fails_for_a_stale_copy_and_the_command_rewrites_it(tmp_path):
    out = tmp_path / "接口标准.md"
    out.write_text(build().replace("银行流水推送", "银行推送"), encoding="utf-8")
    with pytest.raises(CommandError, match="不是最新"):
        call_command("api_interface_doc", "--check", "--out", str(out))
    call_command("api_interface_doc", "--out", str(out))
    call_command("api_interface_doc", "--check", "--out", str(out))
    assert out.read_text(encoding="utf-8") == build()


def test_every_registered_record_type_has_a_section_with_every_field(committed):
    types = record_types()
    assert len(types) > 40
    for label, model in types.items():
        text = section(committed, label)
        assert str(model._meta.verbose_name) in text
        assert f"/api/v1/records/{label}/" in text
        assert ("`batch/`（批量写入）" in text) == is_writable(model)  # a report snapshot is read-only
        for col in columns_for(model):
            row = next((line for line in text.splitlines() if line.startswith(f"| `{col.name}` |")), None)
            assert row is not None, f"{label}.{col.name} missing"
            assert col.label.replace("|", "\\|") in row
            if col.kind == "choice":
                assert all(f"`{code}`" in row for code in col.labels), f"{label}.{col.name} choices"
            if col.kind == "fk":
                assert "引用" in row


def test_natural_keys_personal_data_and_references_are_described(committed):
    transaction = section(committed, "funds.banktransaction")
    assert "业务编码组成（`key`，以 ` | ` 连接）：银行账户·银行账号 | 银行流水号 | 交易日期" in transaction
    assert "个人信息" in next(line for line in transaction.splitlines() if "`counterparty_account`" in line)
    org = section(committed, "regions.collectiveorg")
    assert "备选业务编码" in org  # a village committee has no credit code: region code | name
    direction = next(line for line in transaction.splitlines() if line.startswith("| `direction` |"))
    assert "`debit` 支出（借）" in direction and "`credit` 收入（贷）" in direction


def test_every_error_code_is_in_the_table(committed):
    for code, meaning in ERROR_CODES.items():
        assert f"| `{code}` | {meaning.replace('|', chr(92) + '|')} |" in committed


def test_bank_push_fields_and_worked_signature_example(committed):
    for field in PUSH_FIELDS:
        assert f"| `{field.name}` |" in committed
    secret = re.search(r"签名密钥：`([0-9a-f]{64})`", committed).group(1)
    timestamp = re.search(r"`X-Timestamp`：`(\d+)`", committed).group(1)
    nonce = re.search(r"`X-Nonce`：`([A-Za-z0-9_-]+)`", committed).group(1)
    body = re.search(r"请求体（UTF-8，无多余空格）：\n\n```json\n(.+)\n```", committed).group(1)
    signature = re.search(r"计算结果 `X-Signature`：`([0-9a-f]{64})`", committed).group(1)
    assert signature_matches(secret, timestamp, nonce, body.encode("utf-8"), signature)


def test_document_is_deterministic():
    assert build() == build()


def test_guide_is_linked_from_the_user_guide_index():
    from django.conf import settings

    index = (settings.BASE_DIR / "docs" / "guide" / "README.md").read_text(encoding="utf-8")
    assert "(数据接口.md)" in index
    guide = (settings.BASE_DIR / "docs" / "guide" / "数据接口.md").read_text(encoding="utf-8")
    assert "../api/接口标准.md" in guide
