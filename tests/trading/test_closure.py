"""The closure loop: an attested deal becomes the monitoring contract with its receivable plan (once);
an expiring contract, an idle resource or an idle asset becomes a prefilled draft listing (应进必进)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from backoffice.assets.choices import ResourceUse
from backoffice.assets.models import Resource
from backoffice.contracts.choices import ACTIVE_STATUSES, ContractStatus
from backoffice.contracts.models import Contract
from backoffice.contracts.services import contract_fulfilment, contracts_expiring
from backoffice.core.choices import ReviewStatus
from backoffice.trading import services
from backoffice.trading.choices import ListingState as S
from backoffice.trading.choices import PropertyType, TransferorKind
from backoffice.trading.closure import (
    ClosureError,
    contract_from_deal,
    listing_attest_and_close,
    listing_from_contract,
    listing_from_resource,
)
from backoffice.trading.models import Listing
from tests.trading import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def attested(org_a, users):
    return f.drive(org_a, users, S.ATTESTED)


def test_attested_deal_creates_the_platform_contract_with_its_plan(attested, users):
    deal = attested.deals.get()
    certificate = attested.certificates.get()
    contract = contract_from_deal(deal=deal, user=users["trading_officer"])
    assert contract.traded_on_platform and contract.trading_ref == attested.listing_no
    assert contract.certificate_no == certificate.number
    assert contract.contract_no == deal.contract_no and contract.org_id == attested.org_id
    assert (contract.term_start, contract.term_end) == (deal.term_start, deal.term_end)
    assert contract.total_amount == deal.price
    assert contract.party_b_name == deal.registration.name
    assert contract.party_b_id == deal.registration.id_no  # still encrypted at rest, same person
    assert contract.review_status == ReviewStatus.APPROVED
    plan = contract.plans.aggregate(total=Sum("amount_due"), n=Sum(1))
    assert plan["total"] == deal.price and contract.plans.count() == 5  # annual over a 5-year term
    deal.refresh_from_db()
    assert deal.contract_id == contract.pk


def test_closure_is_idempotent(attested, users):
    deal = attested.deals.get()
    first = contract_from_deal(deal=deal, user=users["trading_officer"])
    plans = first.plans.count()
    again = contract_from_deal(deal=deal, user=users["trading_officer"])
    assert again.pk == first.pk
    assert Contract.objects.filter(trading_ref=attested.listing_no).count() == 1
    assert again.plans.count() == plans


def test_the_new_contract_is_monitored_for_fulfilment_and_expiry(attested, users):
    contract = contract_from_deal(deal=attested.deals.get(), user=users["trading_officer"])
    assert contract.status in ACTIVE_STATUSES
    due = contract.plans.order_by("due_date").first().due_date
    assert contract_fulfilment(contract=contract, as_of=due)["receivable"] > 0
    soon = contract.term_end - timedelta(days=10)
    assert contract in contracts_expiring(queryset=Contract.objects.all(), as_of=soon, within_days=30)


def test_attesting_in_one_step_issues_the_certificate_and_the_contract(org_a, users):
    listing = f.drive(org_a, users, S.SETTLEMENT)
    officer = users["trading_officer"]
    deal = listing.deals.get()
    services.listing_record_settlement(listing=listing, user=officer, paid_amount=deal.price)
    certificate, contract = listing_attest_and_close(listing=listing, user=officer)
    listing.refresh_from_db()
    assert listing.state == S.ATTESTED
    assert contract.certificate_no == certificate.number


def test_a_contract_number_already_used_by_the_village_is_refused_not_overwritten(attested, users):
    deal = attested.deals.get()
    existing = Contract.objects.filter(org=attested.org).exclude(source_system="trading").first()
    deal.contract_no = existing.contract_no
    deal.save(update_fields=["contract_no"])
    with pytest.raises(ClosureError, match="已有编号为"):
        contract_from_deal(deal=deal, user=users["trading_officer"])
    assert not Contract.objects.filter(trading_ref=attested.listing_no).exists()


def test_a_farmers_own_asset_gets_the_certificate_but_no_collective_contract(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(
        org_a,
        users,
        property_type=PropertyType.T11,
        transferor_kind=TransferorKind.FARMER,
        transferor_name="王秀英",
        transferor_id=f.resident_id(777),
    )
    f.qualified_bidder(listing, officer, 778)
    services.listing_close_announcement(listing=listing, as_of=f.after_announcement(listing))
    services.listing_conclude_eligibility(listing=listing, user=officer)
    deal = services.listing_negotiation_deal(listing=listing, user=officer, price=listing.reserve_price)
    services.listing_publish_result(listing=listing, user=officer)
    services.listing_close_publicity(listing=listing, as_of=f.FAR_FUTURE)
    services.listing_sign_contract(
        listing=listing, user=officer, contract_no="NH-001", signed_on=timezone.localdate()
    )
    services.listing_record_settlement(listing=listing, user=officer, paid_amount=deal.price)
    certificate, contract = listing_attest_and_close(listing=listing, user=officer)
    assert certificate.number and contract is None
    with pytest.raises(ClosureError, match="出让方是农户"):
        contract_from_deal(deal=deal, user=officer)
    assert not Contract.objects.filter(trading_ref=listing.listing_no).exists()


def expiring_contract(org) -> Contract:
    today = timezone.localdate()
    return (
        Contract.objects.filter(org=org, status__in=ACTIVE_STATUSES, term_end__gte=today)
        .filter(term_end__lte=today + timedelta(days=90))
        .exclude(listings__isnull=False)
        .order_by("term_end")
        .first()
    )


def test_listing_from_an_expiring_contract_is_a_prefilled_draft(org_a, users):
    contract = expiring_contract(org_a)
    assert contract is not None, "the tiny demo has a contract expiring within 90 days in township A"
    listing = listing_from_contract(contract=contract, user=users["village_bookkeeper"])
    assert listing.state == S.DRAFT and listing.source_contract_id == contract.pk
    assert listing.org_id == contract.org_id and listing.transferor_name == contract.org.name
    assert listing.term_start == contract.term_end + timedelta(days=1)
    assert listing.listing_price == contract.total_amount == listing.reserve_price
    assert listing.payment_mode == contract.payment_mode
    if contract.subject_resource_id:
        resource = contract.subject_resource
        assert listing.source_resource_id == resource.pk and listing.location == resource.location
        assert listing.area == resource.area
    assert listing.events.get().action == "create"
    with pytest.raises(ClosureError, match="已有进行中的挂牌项目"):
        listing_from_contract(contract=contract, user=users["village_bookkeeper"])


def test_listing_from_an_idle_resource(org_a, users):
    resource = Resource.objects.filter(
        org__region_code__startswith=org_a.region_code[:9], use_mode=ResourceUse.IDLE
    ).first()
    if resource is None:
        resource = Resource.objects.filter(org=org_a).first()
        Resource.objects.filter(pk=resource.pk).update(
            use_mode=ResourceUse.IDLE, idle_since=timezone.localdate()
        )
        resource.refresh_from_db()
    listing = listing_from_resource(resource=resource, user=users["township_reviewer"])
    assert listing.source_resource_id == resource.pk and listing.area == resource.area
    assert listing.title.startswith(resource.name) and listing.state == S.DRAFT


def test_contract_admin_action_drafts_a_listing_and_opens_it(org_a, users, client_for):
    contract = expiring_contract(org_a)
    client = client_for("village_bookkeeper")
    response = client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "draft_listing_from_contracts", "_selected_action": [contract.pk]},
    )
    listing = Listing.objects.get(source_contract=contract)
    assert response.status_code == 302 and response.url == reverse(
        "admin:trading_listing_change", args=[listing.pk]
    )
    assert listing.created_by.username == "village_bookkeeper"


def test_contract_admin_action_refuses_a_contract_far_from_expiry(org_a, client_for):
    far = Contract.objects.filter(
        org=org_a, status=ContractStatus.PERFORMING, term_end__gt=timezone.localdate() + timedelta(days=400)
    ).first()
    response = client_for("village_bookkeeper").post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "draft_listing_from_contracts", "_selected_action": [far.pk]},
        follow=True,
    )
    assert "距今超过180天" in response.content.decode()
    assert not Listing.objects.filter(source_contract=far).exists()


def test_resource_admin_action_refuses_a_resource_in_use(org_a, client_for):
    used = Resource.objects.filter(org=org_a).exclude(use_mode=ResourceUse.IDLE).first()
    response = client_for("village_bookkeeper").post(
        reverse("admin:assets_resource_changelist"),
        {"action": "draft_listing_from_resources", "_selected_action": [used.pk]},
        follow=True,
    )
    assert "不是闲置资源" in response.content.decode()
    assert not Listing.objects.filter(source_resource=used).exists()


def test_unit_price_is_per_unit_and_year(attested, users):
    contract = contract_from_deal(deal=attested.deals.get(), user=users["trading_officer"])
    expected = (contract.total_amount / contract.quantity / 5).quantize(Decimal("0.01"))
    assert abs(contract.unit_price - expected) <= Decimal("0.05")
