"""Members' ID numbers and dividend accounts are masked for scoped users (DOMAIN.md §8), including in
the payments inline of a dividend, which is also scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.core.pii import SensitiveKind, mask
from backoffice.reform.models import Dividend, DividendPayment, Member
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["village_bookkeeper", "township_reviewer"])
def test_member_changelist_shows_masked_ids_only(client_for, users, username):
    members = list(Member.objects.visible_to(users[username]).order_by("region_code", "name")[:5])
    html = (
        client_for(username)
        .get(reverse("admin:reform_member_changelist"), {"q": members[0].name})
        .content.decode()
    )
    assert members[0].name in html
    assert mask(members[0].id_no, SensitiveKind.RESIDENT_ID) in html
    assert all(m.id_no not in html for m in members)


def test_dividend_payment_changelist_masks_accounts(client_for, users):
    payment = DividendPayment.objects.visible_to(users["township_reviewer"]).exclude(account="").first()
    html = (
        client_for("township_reviewer")
        .get(reverse("admin:reform_dividendpayment_changelist"), {"q": payment.member.name})
        .content.decode()
    )
    assert payment.account not in html
    assert mask(payment.account, SensitiveKind.BANK_ACCOUNT) in html


def test_dividend_page_lists_its_payments_with_masked_accounts(client_for, users):
    dividend = Dividend.objects.filter(region_code__startswith=TOWNSHIP_A, payments__account__gt="").first()
    response = client_for("township_reviewer").get(
        reverse("admin:reform_dividend_change", args=[dividend.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    payment = dividend.payments.exclude(account="").first()
    assert payment.account not in html
    assert mask(payment.account, SensitiveKind.BANK_ACCOUNT) in html


def test_payment_inline_offers_only_members_in_scope(users):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = users["township_reviewer"]
    inline = admin.site._registry[Dividend].get_inline_instances(request)[0]
    field = inline.formfield_for_foreignkey(DividendPayment._meta.get_field("member"), request)
    assert {m.region_code[:9] for m in field.queryset} == {TOWNSHIP_A}
    assert {p.region_code[:9] for p in inline.get_queryset(request)} == {TOWNSHIP_A}


def test_a_payment_added_inline_takes_the_dividends_organisation(users):
    from decimal import Decimal

    from django.contrib import admin
    from django.test import RequestFactory

    from backoffice.reform.choices import MemberStatus

    request = RequestFactory().get("/")
    request.user = users["township_reviewer"]
    dividend = Dividend.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    unpaid = (
        Member.objects.filter(org=dividend.org)
        .exclude(dividend_payments__dividend=dividend)
        .exclude(status=MemberStatus.ACTIVE)
        .first()
    )
    unpaid = (
        unpaid
        or Member.objects.filter(org=dividend.org).exclude(dividend_payments__dividend=dividend).first()
    )
    inline = admin.site._registry[Dividend].get_inline_instances(request, dividend)[0]
    formset_class = inline.get_formset(request, dividend)
    prefix = formset_class.get_default_prefix()
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-member": str(unpaid.pk),
        f"{prefix}-0-amount": "150.00",
        f"{prefix}-0-paid_on": "",
    }
    formset = formset_class(data, instance=dividend, queryset=DividendPayment.objects.none(), prefix=prefix)
    assert formset.is_valid(), formset.errors
    (payment,) = formset.save()
    assert payment.org_id == dividend.org_id and payment.region_code == dividend.region_code
    assert payment.amount == Decimal("150.00")
