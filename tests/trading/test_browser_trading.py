"""The whole trading loop in the browser (issue 7 acceptance): a village bookkeeper drafts a listing
from an expiring contract, a township reviewer and a county officer approve it, the public page shows
it, two bidders bid, the deal is attested and the new contract appears in the contracts list.

Periods cannot be waited out in a test: the end of the announcement (10 working days) and of the result
publicity are run through the same services the scheduled job calls, with a later ``as_of``; the two
bidders are registered and qualified at the county window through the service (the admin screens for
that are covered in test_admin). Everything a user decides is clicked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backoffice.contracts.choices import ACTIVE_STATUSES
from backoffice.contracts.models import Contract
from backoffice.trading import services
from backoffice.trading.choices import AttachmentKind
from backoffice.trading.choices import ListingState as S
from backoffice.trading.models import Listing, ListingAttachment
from tests.trading import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def take_step(page, base: str, listing: Listing, step: str, **fields) -> None:
    """Open the listing, click the process button and confirm its form."""
    page.goto(f"{base}/admin/trading/listing/{listing.pk}/change/")
    page.click(f"a[href$='/process/{step}/']")
    page.wait_for_selector("#step-form")
    for name, value in fields.items():
        page.fill(f"#step-form [name={name}]", str(value))
    page.click("#step-submit")
    page.wait_for_url(f"{base}/admin/trading/listing/{listing.pk}/change/")


def test_listing_from_expiring_contract_to_attested_contract(page_as, demo_live_server, users):
    base = demo_live_server.url
    village = users["village_bookkeeper"]
    today = timezone.localdate()
    source = (
        Contract.objects.filter(
            region_code=village.scope_region_id,
            status__in=ACTIVE_STATUSES,
            term_end__gte=today,
            term_end__lte=today + timedelta(days=90),
        )
        .order_by("term_end")
        .first()
    )
    assert source is not None, "the demo village has a contract expiring within 90 days"

    # 1. The village bookkeeper turns the expiring contract into a draft listing (应进必进).
    clerk = page_as("village_bookkeeper")
    clerk.goto(f"{base}/admin/contracts/contract/?q={source.contract_no}")
    clerk.check(f"input.action-select[value='{source.pk}']")
    clerk.select_option("select[name=action]", "draft_listing_from_contracts")
    clerk.click("#changelist-actions button[name=index]")
    clerk.wait_for_url("**/admin/trading/listing/*/change/")
    listing = Listing.objects.get(source_contract=source)
    assert listing.state == S.DRAFT and listing.listing_price == source.total_amount
    assert "已生成挂牌草稿" in clerk.content()
    # The scanned member-meeting resolution (uploading files is covered by Django's own tests).
    ListingAttachment.objects.create(
        listing=listing,
        kind=AttachmentKind.RESOLUTION,
        title="村民代表会议决议",
        file=SimpleUploadedFile("resolution.pdf", b"%PDF-1.4 resolution"),
        uploaded_by=village,
    )
    take_step(clerk, base, listing, "submit")
    listing.refresh_from_db()
    assert listing.state == S.TOWN_REVIEW

    # 2. Township review, 3. county acceptance publishes the announcement.
    take_step(page_as("township_reviewer"), base, listing, "town_approve", reason="材料齐全，同意挂牌")
    officer_page = page_as("trading_officer")
    take_step(officer_page, base, listing, "county_approve", reason="受理")
    listing.refresh_from_db()
    assert listing.state == S.ANNOUNCED and listing.announcement_end > today

    # 4. The public page shows it, without login.
    anonymous = officer_page.context.browser.new_context(locale="zh-CN").new_page()
    anonymous.goto(f"{base}/trading/")
    assert listing.listing_no in anonymous.content()
    anonymous.click(f"a[href='/trading/listings/{listing.listing_no}/']")
    anonymous.wait_for_selector("#countdown")
    assert "距报名截止还有" in anonymous.content()

    # 5. Two bidders register at the window; the announcement ends; online bidding opens.
    officer = users["trading_officer"]
    first, second = (f.qualified_bidder(listing, officer, 600 + i) for i in range(2))
    services.listing_close_announcement(listing=listing, as_of=f.after_announcement(listing))
    services.listing_conclude_eligibility(
        listing=listing, user=officer, bidding_starts_at=timezone.now() - timedelta(minutes=1)
    )
    anonymous.goto(f"{base}/trading/listings/{listing.listing_no}/")
    assert "网络竞价进行中" in anonymous.content()
    assert anonymous.inner_text("#registration-count") == "2"
    assert first.name not in anonymous.content() and first.id_no not in anonymous.content()

    # 6. Two bidders bid (entered at the county window).
    price, step = listing.listing_price, listing.bid_increment
    for registration, amount in ((first, price), (second, price + step)):
        officer_page.goto(f"{base}/admin/trading/listing/{listing.pk}/change/")
        officer_page.click("a[href$='/process/bid/']")
        officer_page.select_option("#step-form select[name=registration]", str(registration.pk))
        officer_page.fill("#step-form [name=amount]", str(amount))
        officer_page.click("#step-submit")
        officer_page.wait_for_url(f"{base}/admin/trading/listing/{listing.pk}/change/")
    assert listing.bids.count() == 2
    listing.refresh_from_db()
    services.listing_close_bidding(listing=listing, as_of=listing.bidding_ends_at + timedelta(seconds=1))
    listing.refresh_from_db()
    assert listing.state == S.DEAL and listing.deals.get().registration == second

    # 7. Result publicity, contract, settlement and attestation by the county officer.
    take_step(officer_page, base, listing, "publish_result")
    services.listing_close_publicity(listing=listing, as_of=timezone.now() + timedelta(days=30))
    contract_no = f"JY-{listing.listing_no}"
    take_step(officer_page, base, listing, "sign_contract", contract_no=contract_no)
    take_step(officer_page, base, listing, "settle", paid_amount=price + step)
    take_step(officer_page, base, listing, "attest")
    listing.refresh_from_db()
    assert listing.state == S.ATTESTED
    assert "已出具交易鉴证书" in officer_page.content() and "已生成监测合同" in officer_page.content()

    # 8. The new contract appears in the village's contracts list, traded on the platform.
    clerk.goto(f"{base}/admin/contracts/contract/?q={listing.listing_no}")
    listed = clerk.inner_text("#result_list")
    assert contract_no in listed
    contract = Contract.objects.get(contract_no=contract_no)
    assert contract.traded_on_platform and contract.certificate_no == listing.certificates.get().number
    assert contract.plans.exists()
