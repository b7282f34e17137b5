"""The national charts of accounts and the 2024 old→new mapping (DOMAIN.md §3.1)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from backoffice.accounting.models import AccountMapping, ChartAccount
from backoffice.accounting.reference import load_chart_reference

pytestmark = pytest.mark.django_db


def _chart(version: str) -> dict[str, ChartAccount]:
    return {a.code: a for a in ChartAccount.objects.filter(chart_version=version)}


def test_2023_chart_has_the_42_national_first_level_accounts():
    chart = _chart("2023")
    assert len(chart) == 42
    assert [c for c in chart if c.startswith("1")] == sorted(c for c in chart if c.startswith("1"))
    assert set(chart) >= {"101", "133", "162", "171", "181", "213", "214", "512", "514", "521"}


@pytest.mark.parametrize(
    ("code", "name", "account_class", "normal_balance", "contra"),
    [
        ("101", "库存现金", "asset", "D", False),
        ("113", "内部往来", "asset", "D", False),
        ("133", "生产性生物资产累计折旧", "asset", "C", True),
        ("152", "累计折旧", "asset", "C", True),
        ("153", "在建工程", "asset", "D", False),
        ("154", "固定资产清理", "asset", "D", False),
        ("162", "累计摊销", "asset", "C", True),
        ("211", "应付款", "liability", "C", False),
        ("212", "应付工资", "liability", "C", False),
        ("241", "专项应付款", "liability", "C", False),
        ("322", "收益分配", "equity", "C", False),
        ("401", "生产（劳务）成本", "cost", "D", False),
        ("502", "投资收益", "pnl_income", "C", False),
        ("511", "经营支出", "pnl_expense", "D", False),
        ("521", "所得税费用", "pnl_expense", "D", False),
    ],
)
def test_2023_accounts_have_their_class_and_normal_balance(code, name, account_class, normal_balance, contra):
    account = _chart("2023")[code]
    assert (account.name, account.account_class, account.normal_balance, account.is_contra) == (
        name,
        account_class,
        normal_balance,
        contra,
    )


def test_two_sided_accounts_are_marked():
    chart = _chart("2023")
    assert {c for c, a in chart.items() if a.is_two_sided} == {"113", "181"}


def test_2004_village_chart_includes_the_provincial_add_ons_and_old_codes():
    chart = _chart("2004")
    assert len(chart) == 35
    assert chart["161"].name == "无形资产" and chart["241"].name == "专项应付款"
    assert chart["502"].name == "经营支出" and chart["502"].account_class == "pnl_expense"
    assert chart["511"].name == "发包及上交收入" and chart["511"].account_class == "pnl_income"
    assert chart["153"].name == "固定资产清理" and chart["154"].name == "在建工程"
    assert chart["212"].name == "应付福利费"


def _targets(old: str) -> set[str]:
    return set(
        AccountMapping.objects.filter(mapping_version="2023-20", old_code=old).values_list(
            "new_code", flat=True
        )
    )


def test_mapping_swaps_153_and_154_and_shifts_payables():
    assert _targets("153") == {"154"}
    assert _targets("154") == {"153"}
    assert _targets("202") == {"211"}
    assert _targets("211") == {"212"}
    assert _targets("502") == {"511"}
    assert _targets("561") == {"502"}
    assert _targets("522") == {"503"}


def test_mapping_flags_rows_to_verify_against_the_official_appendix():
    flagged = set(
        AccountMapping.objects.filter(needs_official_appendix=True)
        .values_list("old_code", flat=True)
        .distinct()
    )
    assert flagged == {"131", "132", "212", "511", "521"}
    assert _targets("131") == {"131", "132"} and _targets("132") == {"131", "132", "134"}
    assert all(m.note for m in AccountMapping.objects.filter(needs_official_appendix=True))


def test_every_old_account_is_mapped_to_a_2023_account():
    old, new = set(_chart("2004")), set(_chart("2023"))
    mapped = set(AccountMapping.objects.values_list("old_code", flat=True))
    assert mapped == old
    assert set(AccountMapping.objects.values_list("new_code", flat=True)) <= new


def test_loading_reference_data_again_creates_nothing():
    assert load_chart_reference(ChartAccount, AccountMapping) == (0, 0)


def test_chart_code_is_unique_per_version():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChartAccount.objects.create(
            chart_version="2023", code="101", name="重复", account_class="asset", normal_balance="D"
        )


def test_mapping_row_is_unique_per_version():
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountMapping.objects.create(
            mapping_version="2023-20", old_code="153", old_name="x", new_code="154", new_name="y"
        )
