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
    formset = formset_class(
        data=data, instance=dividend, queryset=DividendPayment.objects.none(), prefix=prefix
    )
    assert formset.is_valid(), formset.errors
    (payment,) = formset.save()
    assert payment.org_id == dividend.org_id and payment.region_code == dividend.region_code
    assert payment.amount == Decimal("150.00")


def _dividend_with_most_payments():
    from django.db.models import Count

    return (
        Dividend.objects.filter(region_code__startswith=TOWNSHIP_A)
        .annotate(n=Count("payments"))
        .order_by("-n", "pk")
        .first()
    )


def test_the_payments_inline_shows_twenty_per_page_and_the_rest_on_later_pages(client_for):
    import re

    dividend = _dividend_with_most_payments()
    total = dividend.payments.count()
    assert total > 20, "the demo needs a dividend with more payments than one page"
    client = client_for("township_reviewer")
    url = reverse("admin:reform_dividend_change", args=[dividend.pk])
    seen = set()
    for page in range(1, -(-total // 20) + 1):
        html = client.get(url, {"payments-page": page}).content.decode()
        ids = set(re.findall(r'name="payments-\d+-id" value="(\d+)"', html))
        assert len(ids) == min(20, total - 20 * (page - 1)), page
        seen |= ids
    assert seen == {str(pk) for pk in dividend.payments.values_list("pk", flat=True)}


def _post_data_of(response) -> dict:
    """What the browser would send back unchanged: the main form's and every inline form's values."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, list | tuple):  # a split (date) widget: one value per part
                for index, part in enumerate(value):
                    data[f"{form.add_prefix(name)}_{index}"] = "" if part is None else str(part)
                continue
            data[form.add_prefix(name)] = value.isoformat() if hasattr(value, "isoformat") else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_saving_one_page_of_payments_leaves_the_other_pages_untouched(client_for):
    dividend = _dividend_with_most_payments()
    before = sorted(dividend.payments.values_list("pk", "member_id", "amount"))
    client = client_for("township_reviewer")
    url = reverse("admin:reform_dividend_change", args=[dividend.pk])
    data = _post_data_of(client.get(url))
    assert data["payments-TOTAL_FORMS"] == "20"
    response = client.post(url, data)
    errors = response.context and [
        (f.prefix, f.errors) for f in response.context.get("inline_admin_formsets", []) for f in f.formset
    ]
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors,
        errors,
    )
    assert sorted(dividend.payments.values_list("pk", "member_id", "amount")) == before
