"""The trading models: numbering, scope of child rows, encrypted personal data, validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from backoffice.core.pii import mask
from backoffice.trading.models import Listing, ListingAttachment, ListingEvent
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B
from tests.trading import factories as f

pytestmark = pytest.mark.django_db


def test_listing_numbers_run_per_county_and_year(org_a, users):
    first = f.draft(org_a, users["village_bookkeeper"])
    second = f.draft(org_a, users["village_bookkeeper"])
    county, year, seq = first.listing_no.split("-")
    assert county == "140121" and len(year) == 4
    assert second.listing_no == f"{county}-{year}-{int(seq) + 1:04d}"


def test_child_rows_take_the_listing_scope_and_follow_a_corrected_owner(org_a, org_b, users):
    listing = f.draft(org_a, users["admin"])
    attachment = listing.attachments.get()
    assert attachment.region_code.startswith(TOWNSHIP_A)
    assert ListingAttachment.objects.visible_to(users["township_reviewer"]).filter(pk=attachment.pk).exists()
    listing.org = org_b
    listing.save()
    attachment.refresh_from_db()
    assert attachment.region_code.startswith(TOWNSHIP_B)
    assert not ListingEvent.objects.visible_to(users["township_reviewer"]).filter(listing=listing).exists()


def test_transferor_personal_data_is_encrypted_at_rest_and_masked(org_a, users):
    id_no = f.resident_id(55)
    listing = f.draft(
        org_a,
        users["village_bookkeeper"],
        transferor_kind="farmer",
        property_type="T11",
        transferor_name="李小农",
        transferor_id=id_no,
        transferor_phone="13900000055",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transferor_id, transferor_phone FROM trading_listing WHERE id = %s", [listing.pk]
        )
        raw_id, raw_phone = cursor.fetchone()
    assert id_no not in raw_id and "13900000055" not in raw_phone
    assert Listing.objects.get(pk=listing.pk).transferor_id == id_no
    assert mask(id_no, "id") == id_no[:6] + "********" + id_no[-4:]


def test_listing_validation_names_the_field_to_fix(org_a, users):
    listing = Listing(**f.listing_fields(org_a, property_type="T11"))
    with pytest.raises(ValidationError) as caught:
        listing.full_clean(exclude=["listing_no"])
    assert "transferor_kind" in caught.value.message_dict
    listing = Listing(**f.listing_fields(org_a, term_start=None, bid_increment=Decimal("0")))
    with pytest.raises(ValidationError) as caught:
        listing.full_clean(exclude=["listing_no"])
    assert "加价幅度应大于0元" in caught.value.message_dict["bid_increment"]
