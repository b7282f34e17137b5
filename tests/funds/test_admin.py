from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.core.pii import SensitiveKind, mask
from backoffice.funds.models import BankAccount, BankTransaction, PaymentRequest
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_account_numbers_are_masked_in_the_changelist_of_a_scoped_user(client_for):
    accounts = list(BankAccount.objects.filter(region_code__startswith=TOWNSHIP_A))
    assert accounts
    response = client_for("township_reviewer").get(reverse("admin:funds_bankaccount_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    for account in accounts:
        assert account.account_no not in html
        assert mask(account.account_no, SensitiveKind.BANK_ACCOUNT) in html


def test_account_number_is_masked_on_the_change_page_and_in_transaction_lists(client_for):
    account = BankAccount.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    client = client_for("township_reviewer")
    page = client.get(reverse("admin:funds_bankaccount_change", args=[account.pk])).content.decode()
    assert account.account_no not in page and mask(account.account_no, SensitiveKind.BANK_ACCOUNT) in page
    listing = client.get(reverse("admin:funds_banktransaction_changelist")).content.decode()
    assert account.account_no not in listing
    counterparties = BankTransaction.objects.filter(region_code__startswith=TOWNSHIP_A).exclude(
        counterparty_account=""
    )
    assert all(t.counterparty_account not in listing for t in counterparties[:50])


def test_account_is_found_by_its_full_number_through_the_keyed_hash(client_for):
    account = BankAccount.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    response = client_for("township_reviewer").get(
        reverse("admin:funds_bankaccount_changelist"), {"q": account.account_no}
    )
    assert list(response.context["cl"].queryset) == [account]


def test_payment_request_page_shows_its_approval_chain_inline(client_for):
    request = PaymentRequest.objects.filter(
        region_code__startswith=TOWNSHIP_A, approvals__isnull=False
    ).first()
    response = client_for("township_reviewer").get(
        reverse("admin:funds_paymentrequest_change", args=[request.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "村两委审议" in html and "支出审批记录" in html
    assert request.payee_account == "" or request.payee_account not in html


def test_reconciliation_saved_in_the_admin_computes_its_adjusted_balances(client_for):
    from backoffice.funds.models import BankReconciliation

    account = BankAccount.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    data = {
        "org": account.org_id,
        "account": account.pk,
        "period": "202401",
        "ledger_balance": "1000.00",
        "statement_balance": "1200.00",
        "bank_recorded_not_booked_in": "200.00",
        "bank_recorded_not_booked_out": "0.00",
        "booked_not_by_bank_in": "0.00",
        "booked_not_by_bank_out": "0.00",
        "preparer": "张建国",
        "reviewer": "",
        "source_system": "",
        "source_id": "",
    }
    response = client_for("township_reviewer").post(reverse("admin:funds_bankreconciliation_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    recon = BankReconciliation.objects.get(account=account, period="202401")
    assert (recon.adjusted_ledger_balance, recon.adjusted_statement_balance) == (1200, 1200)
    assert recon.is_balanced is True
