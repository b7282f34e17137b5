"""The listing state machine (DOMAIN.md §6.4): every transition allowed from its states by its actor,
refused from every other state, for the wrong role and outside the actor's scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.accounts.roles import Role
from backoffice.trading import services
from backoffice.trading.choices import DepositStatus
from backoffice.trading.choices import ListingState as S
from backoffice.trading.models import Listing
from backoffice.trading.services import TRANSITIONS, TradingError
from tests.conftest import TOWNSHIP_B
from tests.trading import factories as f

pytestmark = pytest.mark.django_db

REASON = "依申请办理"


def call(action: str, listing: Listing, user):
    """Invoke the service of ``action`` with plausible input (the tests decide whether it may succeed)."""
    kw = {"listing": listing, "user": user}
    calls = {
        "submit": lambda: services.listing_submit(**kw),
        "town_approve": lambda: services.listing_town_approve(**kw),
        "town_reject": lambda: services.listing_town_reject(**kw, reason=REASON),
        "county_approve": lambda: services.listing_county_approve(**kw),
        "county_reject": lambda: services.listing_county_reject(**kw, reason=REASON),
        "change": lambda: services.listing_change_announcement(**kw, reason=REASON, site_visit="每周三踏勘"),
        "close_announcement": lambda: services.listing_close_announcement(**kw, as_of=f.FAR_FUTURE),
        "conclude_eligibility": lambda: services.listing_conclude_eligibility(**kw),
        "negotiation_deal": lambda: services.listing_negotiation_deal(**kw, price=listing.reserve_price),
        "negotiation_fail": lambda: services.listing_negotiation_fail(**kw, reason=REASON),
        "close_bidding": lambda: services.listing_close_bidding(**kw, as_of=f.FAR_FUTURE),
        "relist": lambda: services.listing_relist(**kw, reason=REASON),
        "publish_result": lambda: services.listing_publish_result(**kw),
        "close_publicity": lambda: services.listing_close_publicity(**kw, as_of=f.FAR_FUTURE),
        "sign_contract": lambda: services.listing_sign_contract(
            **kw, contract_no="HT-1", signed_on=timezone.localdate()
        ),
        "attest": lambda: services.listing_attest(**kw),
        "archive": lambda: services.listing_archive(**kw),
        "suspend": lambda: services.listing_suspend(**kw, reason=REASON),
        "resume": lambda: services.listing_resume(**kw, reason=REASON),
        "terminate": lambda: services.listing_terminate(**kw, reason=REASON),
    }
    return calls[action]()


#: the user of each actor group who performs a transition in the demo
ACTOR_USER = {"VILLAGE": "village_bookkeeper", "TOWNSHIP": "township_reviewer", "COUNTY": "trading_officer"}


def actor_user(users, action: str):
    actor = TRANSITIONS[action].actor.name
    return users[ACTOR_USER.get(actor, "trading_officer")]


# ---- wrong state -----------------------------------------------------------------------------------------

STATES = [s for s in S.values]


@pytest.mark.parametrize("state", STATES)
def test_every_transition_is_refused_from_a_state_it_does_not_leave(state, org_a, users):
    listing = f.drive(org_a, users, state)
    assert listing.state == state
    refused = [a for a, t in TRANSITIONS.items() if state not in t.sources]
    assert refused, state
    events_before = listing.events.count()
    for action in refused:
        with pytest.raises(TradingError, match="当前状态为") as caught:
            call(action, listing, users["admin"])
        assert S(state).label in str(caught.value), action
        listing.refresh_from_db()
        assert listing.state == state, action
    assert listing.events.count() == events_before


# ---- allowed: every transition from every source state it declares ---------------------------------------

ALLOWED = [(action, source) for action, t in TRANSITIONS.items() for source in sorted(t.sources)]
#: the outcome of the data-dependent transitions from the state ``drive`` builds
DYNAMIC_TARGET = {"conclude_eligibility": S.BIDDING, "close_bidding": S.UNSOLD, "resume": S.ANNOUNCED}


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_transition_is_allowed_from_its_source_states_for_its_actor(action, source, org_a, users):
    listing = f.drive(org_a, users, source)
    user = actor_user(users, action)
    if action == "close_bidding":
        user = None  # the scheduled job
    if action == "attest":
        services.listing_record_settlement(listing=listing, user=user, paid_amount=listing.listing_price)
    result = call(action, listing, user)
    listing.refresh_from_db()
    expected = TRANSITIONS[action].target or DYNAMIC_TARGET[action]
    assert listing.state == expected
    event = listing.events.order_by("-at", "-pk").first()
    assert (event.action, event.from_state, event.to_state) == (action, source, expected)
    assert event.actor == user
    assert result is not None


# ---- wrong role and wrong scope --------------------------------------------------------------------------

#: (action, source state, users of the wrong role)
WRONG_ROLE = [
    ("submit", S.DRAFT, ["trading_officer", "supervisor", "auditor", "city_analyst"]),
    ("town_approve", S.TOWN_REVIEW, ["village_bookkeeper", "trading_officer", "supervisor"]),
    ("town_reject", S.TOWN_REVIEW, ["village_bookkeeper", "county_admin"]),
    ("county_approve", S.COUNTY_REVIEW, ["township_reviewer", "village_bookkeeper", "auditor"]),
    ("county_reject", S.COUNTY_REVIEW, ["township_reviewer", "supervisor"]),
    ("change", S.ANNOUNCED, ["township_reviewer", "village_bookkeeper"]),
    ("close_announcement", S.ANNOUNCED, ["village_bookkeeper", "township_reviewer"]),
    ("conclude_eligibility", S.ELIGIBILITY, ["township_reviewer", "supervisor"]),
    ("negotiation_deal", S.NEGOTIATION, ["village_bookkeeper"]),
    ("negotiation_fail", S.NEGOTIATION, ["township_reviewer"]),
    ("close_bidding", S.BIDDING, ["village_bookkeeper", "auditor"]),
    ("relist", S.UNSOLD, ["village_bookkeeper"]),
    ("publish_result", S.DEAL, ["township_reviewer"]),
    ("close_publicity", S.RESULT_PUBLICITY, ["village_bookkeeper"]),
    ("sign_contract", S.CONTRACT, ["village_bookkeeper"]),
    ("attest", S.SETTLEMENT, ["township_reviewer", "city_analyst"]),
    ("archive", S.ATTESTED, ["village_bookkeeper"]),
    ("suspend", S.ANNOUNCED, ["township_reviewer", "village_bookkeeper"]),
    ("resume", S.SUSPENDED, ["township_reviewer"]),
    ("terminate", S.ANNOUNCED, ["village_bookkeeper", "supervisor"]),
]


def test_the_wrong_role_table_covers_every_transition():
    assert {row[0] for row in WRONG_ROLE} == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "source", "wrong"), WRONG_ROLE, ids=[r[0] for r in WRONG_ROLE])
def test_every_transition_is_refused_for_the_wrong_role(action, source, wrong, org_a, users):
    listing = f.drive(org_a, users, source)
    for username in wrong:
        with pytest.raises(TradingError, match="没有相应的角色"):
            call(action, listing, users[username])
        listing.refresh_from_db()
        assert listing.state == source


@pytest.fixture
def officer_of_township_b(db):
    """A trading officer whose scope is only township B."""
    from django.contrib.auth.models import Group

    from backoffice.accounts.models import User

    user = User.objects.create(username="officer_b", scope_region_id=TOWNSHIP_B + "000", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.TRADING_OFFICER.label))
    user.groups.add(Group.objects.get(name=Role.TOWNSHIP_REVIEWER.label))
    return user


@pytest.mark.parametrize(("action", "source"), [(r[0], r[1]) for r in WRONG_ROLE if r[0] != "submit"])
def test_every_transition_is_refused_outside_the_actors_scope(
    action, source, org_a, users, officer_of_township_b
):
    listing = f.drive(org_a, users, source)
    with pytest.raises(TradingError, match="不在您的管辖范围内"):
        call(action, listing, officer_of_township_b)
    listing.refresh_from_db()
    assert listing.state == source


def test_a_village_bookkeeper_cannot_create_or_submit_a_listing_of_another_township(org_b, users):
    with pytest.raises(TradingError, match="不在您的管辖范围内"):
        services.listing_create(user=users["village_bookkeeper"], **f.listing_fields(org_b))
    listing = f.draft(org_b, users["admin"])
    with pytest.raises(TradingError, match="不在您的管辖范围内"):
        services.listing_submit(listing=listing, user=users["village_bookkeeper"])


def test_the_system_actor_only_makes_period_end_transitions(org_a, users):
    listing = f.drive(org_a, users, S.COUNTY_REVIEW)
    with pytest.raises(TradingError, match="没有相应的角色"):
        services.listing_county_approve(listing=listing, user=None)


# ---- reasons, attachments and periods --------------------------------------------------------------------


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.needs_reason])
def test_transitions_that_need_a_reason_refuse_a_blank_one(action, org_a, users):
    source = sorted(TRANSITIONS[action].sources)[0]
    listing = f.drive(org_a, users, source)
    service = {
        "town_reject": services.listing_town_reject,
        "county_reject": services.listing_county_reject,
        "change": services.listing_change_announcement,
        "negotiation_fail": services.listing_negotiation_fail,
        "relist": services.listing_relist,
        "suspend": services.listing_suspend,
        "resume": services.listing_resume,
        "terminate": services.listing_terminate,
    }[action]
    with pytest.raises(TradingError, match="必须填写原因"):
        service(listing=listing, user=actor_user(users, action), reason="  ")


def test_a_collective_listing_cannot_be_submitted_without_the_resolution(org_a, users):
    listing = services.listing_create(user=users["village_bookkeeper"], **f.listing_fields(org_a))
    with pytest.raises(TradingError, match="决议"):
        services.listing_submit(listing=listing, user=users["village_bookkeeper"])
    listing.refresh_from_db()
    assert listing.state == S.DRAFT


def test_a_farmers_listing_needs_no_resolution(org_a, users):
    listing = services.listing_create(
        user=users["village_bookkeeper"],
        **f.listing_fields(
            org_a,
            transferor_kind="farmer",
            property_type="T11",
            transferor_name="李小农",
            transferor_id=f.resident_id(7),
            transferor_phone="13900000007",
        ),
    )
    services.listing_submit(listing=listing, user=users["village_bookkeeper"])
    assert listing.state == S.TOWN_REVIEW


def test_invalid_listing_input_is_refused_with_the_field_named(org_a, users):
    with pytest.raises(TradingError, match="底价"):
        services.listing_create(
            user=users["village_bookkeeper"],
            **f.listing_fields(org_a, listing_price=Decimal("1000"), reserve_price=Decimal("2000")),
        )
    with pytest.raises(TradingError, match="公告期"):
        services.listing_create(
            user=users["village_bookkeeper"], **f.listing_fields(org_a, announcement_days=3)
        )


def test_the_announcement_cannot_close_before_its_last_working_day_has_passed(org_a, users):
    listing = f.announced(org_a, users)
    last_day = timezone.make_aware(
        timezone.datetime.combine(listing.announcement_end, timezone.datetime.min.time())
        + timedelta(hours=23)
    )
    with pytest.raises(TradingError, match="期满后才能进入资格确认"):
        services.listing_close_announcement(listing=listing, as_of=last_day)
    services.listing_close_announcement(listing=listing, as_of=last_day + timedelta(hours=2))
    assert listing.state == S.ELIGIBILITY


def test_the_full_path_records_one_event_per_transition_with_actor_and_reason(org_a, users):
    listing = f.drive(org_a, users, S.ARCHIVED)
    events = list(listing.events.order_by("at", "pk").values_list("action", "to_state"))
    assert [a for a, _ in events] == [
        "create",
        "submit",
        "town_approve",
        "county_approve",
        "close_announcement",
        "conclude_eligibility",
        "close_bidding",
        "publish_result",
        "close_publicity",
        "sign_contract",
        "settle",
        "attest",
        "archive",
    ]
    assert events[-1] == ("archive", S.ARCHIVED)
    assert listing.events.get(action="town_approve").actor == users["township_reviewer"]
    assert listing.events.get(action="close_bidding").actor is None
    assert listing.certificates.get().number.startswith("JZ140121")
    winner = listing.deals.get().registration
    assert winner.deposit_status == DepositStatus.CONVERTED
    assert (
        not listing.registrations.exclude(pk=winner.pk)
        .exclude(deposit_status=DepositStatus.REFUNDED)
        .exists()
    )


def test_town_rejection_returns_the_listing_to_draft_with_the_reason(org_a, users):
    listing = f.drive(org_a, users, S.TOWN_REVIEW)
    services.listing_town_reject(listing=listing, user=users["township_reviewer"], reason="四至不清，请补充")
    assert listing.state == S.DRAFT
    assert listing.review_status == "returned" and listing.review_reason == "四至不清，请补充"
    services.listing_submit(listing=listing, user=users["village_bookkeeper"])
    assert listing.state == S.TOWN_REVIEW


def test_suspension_stops_the_clock_and_resumption_restores_the_state(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    services.listing_suspend(listing=listing, user=officer, reason="权属争议")
    assert listing.state == S.SUSPENDED and listing.suspended_from == S.ANNOUNCED
    # resumed 30 days later: the announcement end moves past the resumption day
    later = timezone.now() + timedelta(days=30)
    services.listing_resume(listing=listing, user=officer, reason="争议已解决", at=later)
    assert listing.state == S.ANNOUNCED and listing.suspended_from == ""
    assert listing.announcement_end > timezone.localdate(later)


def test_termination_voids_the_deal(org_a, users):
    listing = f.drive(org_a, users, S.RESULT_PUBLICITY)
    services.listing_terminate(listing=listing, user=users["trading_officer"], reason="异议成立，终结交易")
    assert listing.state == S.TERMINATED
    assert listing.deals.get().is_void


def test_relisting_starts_a_new_round_with_adjusted_prices(org_a, users):
    listing = f.drive(org_a, users, S.UNSOLD)
    services.listing_relist(
        listing=listing,
        user=users["trading_officer"],
        reason="流拍后降价重新挂牌",
        listing_price=Decimal("90000"),
        reserve_price=Decimal("90000"),
    )
    assert (listing.state, listing.round, listing.listing_price) == (S.ANNOUNCED, 2, Decimal("90000.00"))
    assert "100000.00→90000" in listing.events.get(action="relist").reason
    assert services.registration_counts(listing) == {"registered": 0, "qualified": 0}


def test_a_change_of_the_announcement_restarts_the_period_and_refuses_protected_fields(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users, start=timezone.localdate() - timedelta(days=5))
    old_end = listing.announcement_end
    services.listing_change_announcement(
        listing=listing, user=officer, reason="补充踏勘安排", site_visit="周三"
    )
    assert listing.announcement_end > old_end and listing.site_visit == "周三"
    with pytest.raises(TradingError, match="变更公告不能修改"):
        services.listing_change_announcement(
            listing=listing, user=officer, reason="改名", transferor_name="别人"
        )


# ---- generic entry points --------------------------------------------------------------------------------


def test_listing_transition_reaches_a_state_by_its_target(org_a, users):
    listing = f.drive(org_a, users, S.DRAFT)
    services.listing_transition(listing=listing, to_state=S.TOWN_REVIEW, user=users["village_bookkeeper"])
    services.listing_transition(
        listing=listing, to_state=S.DRAFT, user=users["township_reviewer"], reason="补材料"
    )
    assert listing.state == S.DRAFT
    with pytest.raises(TradingError, match="不能转为"):
        services.listing_transition(listing=listing, to_state=S.ARCHIVED, user=users["admin"])


def test_listing_transition_refuses_a_target_the_data_does_not_give_and_changes_nothing(org_a, users):
    listing = f.drive(org_a, users, S.ELIGIBILITY)  # two qualified bidders → bidding, not negotiation
    with pytest.raises(TradingError, match="应转为“网络竞价中”"):
        services.listing_transition(listing=listing, to_state=S.NEGOTIATION, user=users["trading_officer"])
    listing.refresh_from_db()
    assert listing.state == S.ELIGIBILITY
    assert not listing.events.filter(action="conclude_eligibility").exists()


def test_listing_transition_sends_inputs_it_cannot_guess_to_the_named_service(org_a, users):
    listing = f.drive(org_a, users, S.NEGOTIATION)
    with pytest.raises(TradingError, match="成交价"):
        services.listing_transition(listing=listing, to_state=S.DEAL, user=users["trading_officer"])


def test_allowed_transitions_follow_state_role_and_scope(org_a, org_b, users):
    listing = f.drive(org_a, users, S.TOWN_REVIEW)
    names = lambda u: {t.action for t in services.allowed_transitions(listing, u)}  # noqa: E731
    assert names(users["township_reviewer"]) == {"town_approve", "town_reject"}
    assert names(users["village_bookkeeper"]) == set()
    assert names(users["trading_officer"]) == set()
    as_admin = {**users, "village_bookkeeper": users["admin"], "township_reviewer": users["admin"]}
    other = f.drive(org_b, as_admin, S.TOWN_REVIEW)
    assert services.allowed_transitions(other, users["township_reviewer"]) == []


def test_attestation_waits_for_full_settlement_and_certificates_are_numbered_in_sequence(org_a, users):
    officer = users["trading_officer"]
    listing = f.drive(org_a, users, S.SETTLEMENT)
    with pytest.raises(TradingError, match="价款尚未登记结清"):
        services.listing_attest(listing=listing, user=officer)
    with pytest.raises(TradingError, match="少于成交价"):
        services.listing_record_settlement(listing=listing, user=officer, paid_amount=Decimal("1"))
    services.listing_record_settlement(listing=listing, user=officer, paid_amount=listing.listing_price)
    first = services.listing_attest(listing=listing, user=officer)
    second = f.drive(org_a, users, S.ATTESTED).certificates.get()
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert len(first.verification_code) == 8 and first.deal.listing_id == listing.pk
