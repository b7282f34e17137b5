from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from backoffice.funds.validators import (
    bank_branch_code_problem,
    validate_bank_branch_code,
    validate_bank_ledger_code,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["314161000012", "103161012345", "402161099999"])
def test_twelve_digit_bank_branch_codes_are_accepted(code):
    assert bank_branch_code_problem(code) is None
    validate_bank_branch_code(code)


@pytest.mark.parametrize(
    "code", ["31416100001", "3141610000123", "31416100001A", "", "000161000012", "3141 6100001"]
)
def test_bank_branch_codes_of_wrong_shape_are_refused_in_chinese(code):
    with pytest.raises(ValidationError) as exc:
        validate_bank_branch_code(code)
    assert "联行号" in exc.value.messages[0]


def test_bank_account_with_a_bad_branch_code_fails_full_clean(org):
    from backoffice.funds.models import BankAccount

    account = BankAccount(
        org=org,
        account_no="6228480012345678901",
        account_name=org.name,
        bank_name="农行",
        bank_branch_code="12345",
        opened_on=date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        account.full_clean()
    assert "bank_branch_code" in exc.value.message_dict


@pytest.mark.parametrize(("code", "ok"), [("102", True), ("102001", True), ("101", False), ("10201a", False)])
def test_linked_ledger_account_must_be_102_or_a_sub_account(code, ok):
    if ok:
        validate_bank_ledger_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_bank_ledger_code(code)


def test_bank_account_number_is_unique_across_the_province_by_its_hash(make_account, org):
    from django.db import IntegrityError, transaction

    from backoffice.funds.models import BankAccount

    first = make_account()
    assert first.account_no_hash
    other = BankAccount(
        org=org,
        account_no=first.account_no,
        account_name="另一个",
        bank_name="农行",
        bank_branch_code="103161000001",
        opened_on=date(2020, 1, 1),
    )
    with pytest.raises(ValidationError):
        other.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_closed_account_needs_a_closing_date(make_account):
    from backoffice.funds.choices import AccountStatus

    account = make_account()
    account.status = AccountStatus.CLOSED
    with pytest.raises(ValidationError) as exc:
        account.full_clean()
    assert "closed_on" in exc.value.message_dict
