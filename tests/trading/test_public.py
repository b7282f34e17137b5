"""Public trading pages (no login): listings with filters, detail with conditions, countdown and
milestones, results, verification. Drafts and listings under review never appear, the reserve price is
never published, and no ID, phone or bank account number of any party appears in any public response."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from backoffice.trading import services
from backoffice.trading.choices import PUBLIC_STATES, PropertyType, TransferorKind
from backoffice.trading.choices import ListingState as S
from backoffice.trading.models import Certificate, Listing, Registration
from backoffice.trading.public.selectors import mask_name
from tests.trading import factories as f

pytestmark = pytest.mark.django_db


def public(url: str, params: dict | None = None):
    response = Client().get(url, params or {})
    assert response.status_code in (200, 404), (url, response.status_code)
    return response


def announced_elsewhere(org, users, **overrides) -> Listing:
    """An announced listing of an organisation outside the demo village and township users' scope."""
    admin = users["admin"]
    listing = services.listing_create(user=admin, **f.listing_fields(org, **overrides))
    listing.attachments.create(kind="resolution", title="决议", file="trading/test/resolution.pdf")
    services.listing_submit(listing=listing, user=admin)
    services.listing_town_approve(listing=listing, user=admin)
    return services.listing_county_approve(listing=listing, user=admin)


def detail_url(listing: Listing) -> str:
    return reverse("trading_public:listing", args=[listing.listing_no])


def test_pages_render_without_login(org_a, users):
    listing = f.announced(org_a, users)
    for url in (
        reverse("trading_public:listings"),
        reverse("trading_public:results"),
        reverse("trading_public:verify"),
    ):
        response = Client().get(url)
        assert response.status_code == 200 and "农村产权流转交易平台" in response.content.decode()
    assert Client().get(detail_url(listing)).status_code == 200


def test_drafts_and_listings_under_review_are_not_shown(org_a, users):
    hidden = [f.drive(org_a, users, state) for state in (S.DRAFT, S.TOWN_REVIEW, S.COUNTY_REVIEW)]
    html = public(reverse("trading_public:listings"), {"status": "all"}).content.decode()
    for listing in hidden:
        assert listing.listing_no not in html
        assert public(detail_url(listing)).status_code == 404


def test_announced_listing_shows_conditions_countdown_and_registration_count(org_a, users):
    listing = f.announced(org_a, users, reserve_price=Decimal("98765.00"), listing_price=Decimal("100000.00"))
    f.qualified_bidder(listing, users["trading_officer"], 501)
    f.qualified_bidder(listing, users["trading_officer"], 502)
    list_html = public(reverse("trading_public:listings")).content.decode()
    assert listing.listing_no in list_html and "已报名 2 人" in list_html
    html = public(detail_url(listing)).content.decode()
    assert 'id="countdown"' in html and "距报名截止还有" in html
    assert re.search(r'id="registration-count">2<', html)
    assert "100,000.00" in html or "100000.00" in html
    assert "98765" not in html and "98,765" not in html  # the reserve price is never published
    for text in ("标的信息", "出让方信息", "流转交易条件", "其他信息", "加价幅度"):
        assert text in html


def test_filters_by_type_area_price_and_region(org_a, org_b, users):
    small = f.announced(
        org_a,
        users,
        title="小块地",
        area=Decimal("5.00"),
        listing_price=Decimal("20000"),
        reserve_price=Decimal("20000"),
    )
    big = announced_elsewhere(
        org_b,
        users,
        title="大块地",
        area=Decimal("500.00"),
        listing_price=Decimal("900000"),
        reserve_price=Decimal("900000"),
    )
    url = reverse("trading_public:listings")
    html = public(url, {"area_min": "100"}).content.decode()
    assert big.listing_no in html and small.listing_no not in html
    html = public(url, {"price_max": "30,000"}).content.decode()
    assert small.listing_no in html and big.listing_no not in html
    html = public(url, {"region": org_a.region_code[:9] + "000"}).content.decode()
    assert small.listing_no in html and big.listing_no not in html
    html = public(url, {"type": PropertyType.T09}).content.decode()
    assert small.listing_no not in html and big.listing_no not in html


def test_bad_filter_numbers_are_explained_not_crashing():
    response = public(
        reverse("trading_public:listings"), {"price_min": "abc", "area_max": "1e99", "page": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "最低挂牌价“abc”不是数字" in html and "最大面积“1e99”超出范围" in html


def test_results_show_masked_individual_winner_price_and_term(org_a, users):
    listing = f.drive(org_a, users, S.RESULT_PUBLICITY)
    deal = listing.deals.get()
    winner = deal.registration.name
    html = public(reverse("trading_public:results")).content.decode()
    assert listing.listing_no in html and mask_name(winner) in html and winner not in html
    detail = public(detail_url(listing)).content.decode()
    assert "成交结果" in detail and mask_name(winner) in detail and winner not in detail
    assert "竞价记录" in detail  # bidding log after close, bidder numbers only


def test_mask_name_keeps_the_first_character():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修") == "欧**"
    assert mask_name("") == ""


def _every_public_page() -> list[str]:
    pages = [
        reverse("trading_public:listings"),
        reverse("trading_public:listings") + "?status=all",
        reverse("trading_public:listings") + "?status=done",
        reverse("trading_public:results"),
        reverse("trading_public:verify"),
    ]
    for listing in Listing.objects.all():
        pages.append(detail_url(listing))
    for certificate in Certificate.objects.all():
        pages.append(
            reverse("trading_public:verify")
            + f"?no={certificate.number}&code={certificate.verification_code}"
        )
    return pages


def test_no_personal_number_appears_in_any_public_response(org_a, org_b, users):
    # Listings in every public state, a farmer's own asset with ID, phone and bank account, and the
    # demo's listings; then every public page is scanned for every stored personal number.
    for state in (S.ANNOUNCED, S.BIDDING, S.RESULT_PUBLICITY, S.ATTESTED):
        f.drive(org_a, users, state)
    farmer = announced_elsewhere(
        org_b,
        users,
        property_type=PropertyType.T11,
        transferor_kind=TransferorKind.FARMER,
        transferor_name="李桂兰",
        transferor_id=f.resident_id(901),
        transferor_phone=f.phone(901),
        transferor_bank_account="6228480012345678901",
    )
    services.registration_create(
        listing=farmer,
        user=users["trading_officer"],
        name="周海燕",
        id_no=f.resident_id(902),
        phone=f.phone(902),
    )
    secrets: set[str] = set()
    for listing in Listing.objects.all():
        secrets |= {listing.transferor_phone, listing.transferor_bank_account}
        if listing.transferor_kind == TransferorKind.FARMER:
            secrets.add(listing.transferor_id)
    for row in Registration.objects.all():
        secrets |= {row.id_no, row.phone, row.access_code}
    secrets.discard("")
    assert {f.resident_id(901), f.phone(901), "6228480012345678901", f.resident_id(902)} <= secrets
    names = {"李桂兰", "周海燕"}
    assert Listing.objects.filter(state__in=PUBLIC_STATES).count() >= 5
    for url in _every_public_page():
        html = Client().get(url).content.decode()
        leaked = [s for s in secrets if s in html]
        assert not leaked, (url, leaked)
        assert not [n for n in names if n in html], url
