"""The trading admin: pages render for every role; process buttons show only the steps a user may take
and call the services (a refused step shows its Chinese message, nothing changes); registrations go
through the service; deals and certificates are never added by hand; personal data stays masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.core.pii import SensitiveKind, mask
from backoffice.trading import services
from backoffice.trading.choices import ListingState as S
from backoffice.trading.models import Listing, ListingAttachment, Registration
from tests.trading import factories as f

pytestmark = pytest.mark.django_db
ROLES = ["village_bookkeeper", "township_reviewer", "county_admin", "trading_officer", "auditor", "admin"]


def step_url(listing: Listing, step: str) -> str:
    return reverse(f"admin:trading_listing_step_{step}", args=[listing.pk])


def change_url(listing: Listing) -> str:
    return reverse("admin:trading_listing_change", args=[listing.pk])


@pytest.mark.parametrize("username", ROLES)
def test_trading_pages_render_for_every_role(username, org_a, users, client_for):
    listing = f.drive(org_a, users, S.ATTESTED)
    client = client_for(username)
    for name in ("listing", "registration", "deal", "certificate"):
        assert client.get(reverse(f"admin:trading_{name}_changelist")).status_code == 200, name
    assert client.get(change_url(listing)).status_code == 200
    certificate = listing.certificates.get()
    assert client.get(reverse("admin:trading_certificate_change", args=[certificate.pk])).status_code == 200


def test_buttons_show_only_the_steps_the_user_may_take_now(org_a, users, client_for):
    listing = f.drive(org_a, users, S.TOWN_REVIEW)
    reviewer_html = client_for("township_reviewer").get(change_url(listing)).content.decode()
    assert (
        step_url(listing, "town_approve") in reviewer_html
        and step_url(listing, "town_reject") in reviewer_html
    )
    village_html = client_for("village_bookkeeper").get(change_url(listing)).content.decode()
    assert step_url(listing, "town_approve") not in village_html
    assert step_url(listing, "submit") not in village_html  # already submitted
    assert client_for("village_bookkeeper").get(step_url(listing, "town_approve")).status_code == 403


def test_village_submits_and_township_approves_through_the_buttons(org_a, users, client_for):
    listing = f.drive(org_a, users, S.DRAFT)
    response = client_for("village_bookkeeper").post(step_url(listing, "submit"), {"reason": ""})
    assert response.status_code == 302 and response.url == change_url(listing)
    listing.refresh_from_db()
    assert listing.state == S.TOWN_REVIEW
    client_for("township_reviewer").post(step_url(listing, "town_approve"), {"reason": "材料齐全"})
    listing.refresh_from_db()
    assert listing.state == S.COUNTY_REVIEW and listing.township_opinion == "材料齐全"
    event = listing.events.order_by("-at", "-pk").first()
    assert (event.action, event.actor.username, event.reason) == (
        "town_approve",
        "township_reviewer",
        "材料齐全",
    )


def test_a_refused_step_shows_the_service_message_and_changes_nothing(org_a, users, client_for):
    listing = f.drive(org_a, users, S.DRAFT)
    ListingAttachment.objects.filter(listing=listing).delete()  # the resolution is missing now
    response = client_for("village_bookkeeper").post(step_url(listing, "submit"), {"reason": ""})
    assert response.status_code == 200
    assert "民主决策决议" in response.content.decode()
    listing.refresh_from_db()
    assert listing.state == S.DRAFT


def test_rejecting_requires_a_reason(org_a, users, client_for):
    listing = f.drive(org_a, users, S.TOWN_REVIEW)
    response = client_for("township_reviewer").post(step_url(listing, "town_reject"), {"reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    listing.refresh_from_db()
    assert listing.state == S.TOWN_REVIEW


def test_a_listing_outside_scope_is_not_found(org_b, users, client_for):
    listing = services.listing_create(user=users["county_admin"], **f.listing_fields(org_b))
    assert client_for("township_reviewer").get(change_url(listing)).status_code == 404
    assert client_for("village_bookkeeper").get(step_url(listing, "submit")).status_code in (403, 404)


def test_trading_officer_attests_through_the_button_and_the_contract_is_created(org_a, users, client_for):
    listing = f.drive(org_a, users, S.SETTLEMENT)
    client = client_for("trading_officer")
    assert step_url(listing, "settle") in client.get(change_url(listing)).content.decode()
    deal = listing.deals.get()
    client.post(step_url(listing, "settle"), {"paid_amount": str(deal.price), "settled_on": "2026-11-20"})
    assert step_url(listing, "attest") in client.get(change_url(listing)).content.decode()
    response = client.post(step_url(listing, "attest"), {"reason": "", "institution": ""}, follow=True)
    listing.refresh_from_db()
    deal.refresh_from_db()
    assert listing.state == S.ATTESTED
    assert deal.contract is not None and deal.contract.traded_on_platform
    assert "已出具交易鉴证书" in response.content.decode()


def test_bid_entered_at_the_window_for_a_qualified_bidder(org_a, users, client_for):
    listing, regs = f.in_bidding(org_a, users)
    client = client_for("trading_officer")
    response = client.post(
        step_url(listing, "bid"), {"registration": regs[0].pk, "amount": str(listing.listing_price)}
    )
    assert response.status_code == 302
    too_low = client.post(
        step_url(listing, "bid"), {"registration": regs[1].pk, "amount": str(listing.listing_price)}
    )
    assert too_low.status_code == 200 and "您的报价应不低于" in too_low.content.decode()
    assert listing.bids.count() == 1


def test_registration_added_at_the_county_window_goes_through_the_service(org_a, users, client_for):
    listing = f.announced(org_a, users)
    client = client_for("trading_officer")
    data = {
        "listing": listing.pk,
        "name": "赵四",
        "kind": "person",
        "id_no": f.resident_id(321),
        "phone": f.phone(321),
    }
    response = client.post(reverse("admin:trading_registration_add"), data, follow=True)
    assert response.status_code == 200
    row = Registration.objects.get(listing=listing, name="赵四")
    assert row.registered_by.username == "trading_officer" and row.deposit_status == "unpaid"
    assert "报价口令" in response.content.decode()
    html = client.get(reverse("admin:trading_registration_change", args=[row.pk])).content.decode()
    assert f.resident_id(321) not in html and f.phone(321) not in html
    assert mask(f.resident_id(321), SensitiveKind.ID_OR_CREDIT_CODE) in html
    client.post(reverse("admin:trading_registration_reg_deposit", args=[row.pk]), {"paid_on": "2026-11-20"})
    client.post(reverse("admin:trading_registration_reg_qualify", args=[row.pk]), {"note": ""})
    row.refresh_from_db()
    assert row.deposit_status == "paid" and row.qualification_status == "qualified" and row.bidder_no


def test_village_bookkeeper_cannot_register_parties(org_a, users, client_for):
    listing = f.announced(org_a, users)
    data = {
        "listing": listing.pk,
        "name": "钱五",
        "kind": "person",
        "id_no": f.resident_id(322),
        "phone": f.phone(322),
    }
    response = client_for("village_bookkeeper").post(reverse("admin:trading_registration_add"), data)
    assert response.status_code == 200 and "县级产权交易专员或县级管理员" in response.content.decode()
    assert not Registration.objects.filter(name="钱五").exists()


def test_listing_page_masks_registration_and_transferor_personal_data(org_a, users, client_for):
    listing, regs = f.in_bidding(org_a, users)
    html = client_for("county_admin").get(change_url(listing)).content.decode()
    for reg in regs:
        assert reg.id_no not in html and reg.phone not in html
        assert mask(reg.id_no, SensitiveKind.ID_OR_CREDIT_CODE) in html


@pytest.mark.parametrize("name", ["deal", "certificate"])
def test_deals_and_certificates_are_not_added_by_hand(name, client_for):
    response = client_for("county_admin").get(reverse(f"admin:trading_{name}_add"))
    assert response.status_code == 200 and "由交易流程自动生成" in response.content.decode()
    changelist = client_for("county_admin").get(reverse(f"admin:trading_{name}_changelist")).content.decode()
    assert reverse(f"admin:trading_{name}_add") not in changelist


def test_generic_review_actions_are_not_offered_on_listings(client_for):
    html = client_for("township_reviewer").get(reverse("admin:trading_listing_changelist")).content.decode()
    assert "approve_selected" not in html and "return_selected" not in html


def test_change_of_the_announcement_restarts_the_period_and_is_logged(org_a, users, client_for):
    listing = f.drive(org_a, users, S.ANNOUNCED)
    response = client_for("trading_officer").post(
        step_url(listing, "change"), {"reason": "增加踏勘时间", "site_visit": "每周一、三上午"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.state == S.ANNOUNCED and listing.site_visit == "每周一、三上午"
    assert listing.events.filter(action="change", reason="增加踏勘时间").exists()


def _management_data(response) -> dict:
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_village_creates_a_listing_in_the_admin_through_the_service(org_a, client_for):
    client = client_for("village_bookkeeper")
    url = reverse("admin:trading_listing_add")
    data = {
        **_management_data(client.get(url)),
        "org": org_a.pk,
        "title": "后街门面房出租",
        "property_type": "T04",
        "trading_institution": "county_centre",
        "location": "后街12号",
        "quantity": "1",
        "unit": "room",
        "transferor_kind": "collective",
        "transferor_name": org_a.name,
        "transfer_mode": "lease",
        "listing_price": "60000",
        "reserve_price": "60000",
        "unit_price": "0",
        "payment_mode": "annual",
        "deposit_amount": "6000",
        "trading_method": "online_bidding",
        "bid_increment": "500",
        "free_quote_minutes": "60",
        "timed_quote_minutes": "10",
        "extension_minutes": "5",
        "announcement_days": "10",
        "publicity_days": "5",
        "priority_right": "on",
    }
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    listing = Listing.objects.get(title="后街门面房出租")
    assert listing.state == S.DRAFT and listing.listing_no.startswith(org_a.region_code[:6])
    assert listing.created_by.username == "village_bookkeeper"
    assert list(listing.events.values_list("action", flat=True)) == ["create"]
