"""Permission parity for every registered region-scoped type, every role level and every read path
(changelist, change view by URL, export, autocomplete, the report drill-down's detail lists, the public
pages); and proof that the detector catches a deliberately unscoped admin."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from backoffice.core.scope import is_scoped_model
from tests import parity

pytestmark = pytest.mark.django_db
SCOPED = sorted((m for m in admin.site._registry if is_scoped_model(m)), key=lambda m: m._meta.label)
#: one user per scope level below the province (the demo lies inside one city, so province users and
#: superusers see what the city analyst sees)
USERS = ["village_bookkeeper", "township_reviewer", "county_admin", "city_analyst"]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_every_read_path_returns_exactly_the_users_scope(model, username, client_for, users):
    user = users[username]
    client = client_for(username)
    can_view = admin.site._registry[model].has_view_or_change_permission(type("R", (), {"user": user})())
    expected = parity.expected_pks(model, user) if can_view else set()

    assert parity.via_changelist(client, model) == expected
    candidates = parity.change_view_sample(model, user)
    assert parity.via_change_view(client, model, candidates) == expected & candidates
    assert parity.export_row_count(client, model) == len(expected)
    if model in parity.autocomplete_targets():
        assert parity.via_autocomplete(client, model) == parity.expected_pks(model, user)
    # the REST API (a client registered with this user's scope region) reaches exactly the same rows
    assert parity.via_api_list(model, user) in (None, parity.expected_pks(model, user))


@pytest.mark.urls("tests.core.leaky_urls")
def test_the_detector_catches_an_unscoped_admin(client_for, users):
    from backoffice.regions.models import CollectiveOrg

    client = client_for("township_reviewer")
    leaked = parity.via_changelist(client, CollectiveOrg, site="leaky")
    expected = parity.expected_pks(CollectiveOrg, users["township_reviewer"])
    assert leaked != expected and leaked > expected
    candidates = parity.change_view_sample(CollectiveOrg, users["township_reviewer"])
    assert parity.via_change_view(client, CollectiveOrg, candidates, site="leaky") - expected


@pytest.mark.parametrize("username", USERS)
def test_every_report_drill_down_list_holds_exactly_the_scoped_rows_it_names(username, users):
    # Crawled from the report index, so reports and detail record types added later are covered too.
    user = users[username]
    links = parity.drilldown_detail_links(user)
    # village accounts have no reports (a report sums villages); every other level drills down to rows
    assert bool(links) == (user.scope_region.level < 5), links[:3]
    reached_any, tampered = False, set()
    for link in links:
        model, reached = parity.via_detail_link(user, link)
        assert reached == parity.expected_for_link(model, user, link), link
        reached_any |= bool(reached)
        own = user.scope_region.code[: parity.SIGNIFICANT[user.scope_region.level]]
        outside = set(model._default_manager.values_list(model.scope_field, flat=True)[:2000])
        outside = sorted(c for c in outside if not c.startswith(own))
        if model not in tampered and outside and reached:
            # the same link pointed at a region outside the user's scope opens an empty list
            tampered.add(model)
            assert parity.via_detail_link(user, parity.retarget_link(model, link, outside[0]))[1] == set()
    assert reached_any or not links


def test_public_pages_show_every_published_listing_and_nothing_else_and_no_personal_number():
    from backoffice.trading.choices import BidderKind, TransferorKind
    from backoffice.trading.models import Certificate, Listing, ListingAttachment, Registration

    # the visitor may type any listing's number (unpublished ones too) or a certificate's number and code
    numbers_of_listings = Listing.objects.values_list("listing_no", flat=True)
    typed = [reverse("trading_public:listing", args=[no]) for no in numbers_of_listings]
    typed += [
        f"{reverse('trading_public:verify')}?{urlencode({'no': c.number, 'code': c.verification_code})}"
        for c in Certificate.objects.all()
    ]
    crawl = parity.crawl_public(typed)
    unpublished_states = ("draft", "town_review", "county_review")  # before the county's approval
    published = set(Listing.objects.exclude(state__in=unpublished_states).values_list("pk", flat=True))
    assert published and published != set(Listing.objects.values_list("pk", flat=True))
    assert crawl.reached.get(Listing, set()) == published
    for model, pks in crawl.reached.items():
        # anything else a page shows hangs off a published listing (its deal, its certificate …)
        if model is not Listing and any(f.name == "listing" for f in model._meta.concrete_fields):
            listings = model._default_manager.filter(pk__in=pks).values_list("listing", flat=True)
            assert set(listings) <= published, model
    for attachment in ListingAttachment.objects.select_related("listing"):
        url = reverse("trading_public:attachment", args=[attachment.listing.listing_no, attachment.pk])
        status = Client().get(url).status_code
        assert status == 404 or (attachment.is_public and attachment.listing_id in published), url
    numbers = parity.personal_numbers()
    farmers = Listing.objects.filter(transferor_kind=TransferorKind.FARMER)
    persons = Registration.objects.filter(kind=BidderKind.PERSON)
    names = set(farmers.values_list("transferor_name", flat=True)) | set(
        persons.values_list("name", flat=True)
    )
    assert numbers and names
    for url, body in crawl.bodies.items():
        assert not parity.leaked_numbers(body, numbers), url
        assert not [n for n in names if n in body], url


def test_the_drill_down_check_catches_an_unscoped_detail_list(users, monkeypatch):
    from backoffice.core.record_admin import RecordAdmin
    from backoffice.funds.models import CashJournal
    from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

    user = users["township_reviewer"]
    link = f"{reverse('admin:funds_cashjournal_changelist')}?region_code__startswith={TOWNSHIP_A}"
    tampered = parity.retarget_link(CashJournal, link, TOWNSHIP_B)
    assert parity.via_detail_link(user, link)[1] == parity.expected_for_link(CashJournal, user, link) != set()
    assert parity.via_detail_link(user, tampered)[1] == set()
    unscoped = lambda self, request: CashJournal._default_manager.all()  # noqa: E731
    monkeypatch.setattr(RecordAdmin, "get_queryset", unscoped)
    assert parity.via_detail_link(user, tampered)[1] - parity.expected_pks(CashJournal, user)
