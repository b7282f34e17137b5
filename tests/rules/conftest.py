"""Helpers of the rules tests: rows built from the demo data (cloned so every required field is set) at
business dates far from the demo's, so each case sees only its own rows."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

AS_OF = date(2026, 6, 15)  # a Monday; the demo's daily rows are near "today", not here
_serial = itertools.count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


def org_in(township: str = TOWNSHIP_A, index: int = 0):
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.filter(
        region_code__startswith=township, region_code__gt=township + "000"
    ).order_by("region_code", "pk")[index]


def clone(instance, **changes):
    instance.pk = None
    instance.id = None
    instance._state.adding = True
    instance.source_system, instance.source_id = "", ""
    for key, value in changes.items():
        setattr(instance, key, value)
    instance.save()
    return instance


def no_cash_limit(org) -> None:
    from backoffice.funds.models import CashLimit

    CashLimit.objects.filter(org=org).delete()


def cash_limit(org, amount, valid_from=AS_OF - timedelta(days=30), valid_to=None):
    from backoffice.funds.models import CashLimit

    no_cash_limit(org)
    return CashLimit.objects.create(
        org=org, limit_amount=D(amount), approved_by="测试", valid_from=valid_from, valid_to=valid_to
    )


def balance(org, day=AS_OF, cash=0, ledger=0, statement=0):
    from backoffice.funds.models import DailyBalance

    DailyBalance.objects.filter(org=org, balance_date=day).delete()
    return DailyBalance.objects.create(
        org=org,
        balance_date=day,
        cash_balance=D(cash),
        bank_balance_ledger=D(ledger),
        bank_balance_statement=D(statement),
    )


def bank_txn(
    org, amount, *, day=AS_OF, direction="debit", counterparty_kind="organisation", payment_request=None
):
    from backoffice.funds.models import BankAccount, BankTransaction

    template = BankTransaction.objects.filter(org=org).first()
    account = BankAccount.objects.filter(org=org).first()
    return clone(
        template,
        account=account,
        bank_serial=f"T{next(_serial):08d}",
        txn_date=day,
        direction=direction,
        amount=D(amount),
        counterparty_kind=counterparty_kind,
        payment_request=payment_request,
    )


def contract(org, *, term_end, status="performing", trading_ref=""):
    from backoffice.contracts.models import Contract

    template = Contract.objects.filter(org=org).first() or Contract.objects.first()
    return clone(
        template,
        org=org,
        contract_no=f"TC{next(_serial):06d}",
        term_start=term_end - timedelta(days=3 * 365),
        term_end=term_end,
        status=status,
        trading_ref=trading_ref,
        subject_resource=None,
        subject_asset=None,
    )


def plan(contract_, due_date, amount):
    from backoffice.contracts.models import ContractReceivablePlan

    return ContractReceivablePlan.objects.create(
        contract=contract_, org=contract_.org, due_date=due_date, amount_due=D(amount)
    )


def receipt(contract_, received_on, amount):
    from backoffice.contracts.models import ContractReceipt

    return ContractReceipt.objects.create(
        contract=contract_,
        org=contract_.org,
        received_on=received_on,
        amount=D(amount),
        receipt_no=f"R{next(_serial)}",
    )


def debt(
    org,
    *,
    amount,
    origin_date=AS_OF - timedelta(days=5),
    borrowing=False,
    lending=False,
    guarantee=False,
    approval_ref="",
):
    from backoffice.debts.models import DebtItem

    template = DebtItem.objects.filter(direction="receivable" if lending else "payable").first()
    return clone(
        template,
        org=org,
        item_no=f"TD{next(_serial):06d}",
        original_amount=D(amount),
        outstanding=D(amount),
        origin_date=origin_date,
        due_date=None,
        is_borrowing=borrowing,
        is_lending=lending,
        is_guarantee=guarantee,
        approval_ref=approval_ref,
    )


@pytest.fixture
def org_a(db):
    return org_in(TOWNSHIP_A)


@pytest.fixture
def org_b(db):
    return org_in(TOWNSHIP_B)


@pytest.fixture(autouse=True)
def _fresh_rules_state(request):
    """Each database test starts without alerts, ledger rows or rule versions, whether or not the session's
    demo database was evaluated once (so counts in these tests are their own)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from rules.models import Alert, EvaluationRun, ParamChangeRequest, ParamOverride, RuleVersion

    Alert.unscoped.all().delete()
    EvaluationRun.objects.all().delete()
    ParamChangeRequest.objects.all().delete()
    ParamOverride.objects.all().delete()
    RuleVersion.objects.all().delete()
