"""Fixtures of the accounting tests: a small 2004-chart account set (so that service tests never touch
the demo's 2023 books) and helpers to book vouchers through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backoffice.accounting.models import Account, AccountSet
from backoffice.accounting.reference import CHART_2004
from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A

#: (code, name, parent) of the fixture set's sub-accounts
SUBS = (("102001", "基本户", "102"), ("112001", "单位", "112"))


@pytest.fixture
def org(users):
    """The village organisation of the demo village bookkeeper (in township A)."""
    region = users["village_bookkeeper"].scope_region_id
    assert region.startswith(TOWNSHIP_A)
    return CollectiveOrg.objects.filter(region_code=region).first()


@pytest.fixture
def book(org):
    """A 2004-chart set starting 202201 with every first-level account plus 102001 and 112001."""
    account_set = AccountSet(org=org, chart_version="2004", start_period="202201", name="旧制度账套")
    account_set.full_clean()
    account_set.save()
    accounts = {}
    for code, name, cls, balance, *_ in CHART_2004:
        accounts[code] = Account.objects.create(
            account_set=account_set,
            org=org,
            code=code,
            name=name,
            level=1,
            account_class=cls,
            normal_balance=balance,
        )
    for code, name, parent in SUBS:
        parent_account = accounts[parent]
        accounts[code] = Account.objects.create(
            account_set=account_set,
            org=org,
            code=code,
            name=name,
            level=2,
            parent=parent_account,
            account_class=parent_account.account_class,
            normal_balance=parent_account.normal_balance,
        )
    account_set.accounts_by_code = accounts
    return account_set


def entry(debit_code: str, credit_code: str, amount: str, summary: str = "测试") -> list[dict]:
    return [
        {"account": debit_code, "summary": summary, "debit": Decimal(amount)},
        {"account": credit_code, "summary": summary, "credit": Decimal(amount)},
    ]


@pytest.fixture
def clerk(users):
    return users["village_bookkeeper"]


@pytest.fixture
def reviewer(users):
    return users["township_reviewer"]


MARCH = date(2022, 3, 15)
APRIL = date(2022, 4, 10)
