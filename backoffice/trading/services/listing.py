"""Listing services of the state machine (DOMAIN.md §6.4): creation, village submission, township and
county review, the announcement (change, close, relist), suspension, resumption, termination, archiving.
Each is one transition of ``machine.TRANSITIONS`` applied by ``machine.apply_transition``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backoffice.core.choices import ReviewStatus

from ..choices import AttachmentKind
from ..choices import ListingState as S
from ..models import Listing, ListingEvent
from .access import Actor, TradingError, authorise, holds
from .machine import (  # noqa: F401  (re-exported: older imports read them from here)
    SUSPENDABLE,
    TERMINABLE,
    TRANSITIONS,
    Transition,
    _begin,
    _local_today,
    _now,
    _sync,
    allowed_transitions,
    apply_transition,
    check_transition,
    listing_transition,
    lock_listing,
    qualified_registrations,
)
from .periods import period_end, working_days_between

#: fields a change of the announcement may alter (标的 and 条件; not the transferor or the owner)
CHANGEABLE_FIELDS = frozenset(
    {
        "title",
        "location",
        "boundary_east",
        "boundary_west",
        "boundary_south",
        "boundary_north",
        "area",
        "quantity",
        "unit",
        "current_use",
        "encumbrances",
        "ancillary_facilities",
        "term_years",
        "term_start",
        "term_end",
        "listing_price",
        "reserve_price",
        "unit_price",
        "price_escalation",
        "payment_mode",
        "payment_note",
        "deposit_amount",
        "transferee_qualifications",
        "use_restrictions",
        "bid_increment",
        "free_quote_minutes",
        "timed_quote_minutes",
        "extension_minutes",
        "announcement_days",
        "risk_notes",
        "special_matters",
        "site_visit",
        "institution_contact",
    }
)


def _start_announcement(locked: Listing, start: date) -> tuple[str, ...]:
    locked.announcement_start = start
    locked.announcement_end = period_end(start, locked.announcement_days)
    return ("announcement_start", "announcement_end")


# ---- creation and review --------------------------------------------------------------------------


@transaction.atomic
def listing_create(*, user: Any, **fields: Any) -> Listing:
    """Create a draft listing (``org``, ``title``, ``property_type``, ``location``, ``transfer_mode``,
    ``transferor_name``, prices …) validated in full; the creation is the first event of the listing."""
    listing = Listing(**fields)
    if not listing.org_id:
        raise TradingError("请选择出让方所属的集体经济组织（农户资产选择农户所在村的集体经济组织）。")
    authorise(
        user,
        Actor.VILLAGE if not holds(user, Actor.COUNTY) else Actor.COUNTY,
        region_code=listing.org.region_code,
        what="新建挂牌项目",
        subject=str(listing.org),
    )
    listing.created_by = listing.updated_by = user
    listing.state_changed_at = timezone.now()
    try:
        listing.full_clean(exclude=["listing_no"])
    except ValidationError as exc:
        raise TradingError(_validation_text(exc)) from exc
    listing.save()
    ListingEvent.objects.create(
        listing=listing,
        region_code=listing.region_code,
        action="create",
        from_state=S.DRAFT,
        to_state=S.DRAFT,
        actor=user,
        at=listing.state_changed_at,
        round=listing.round,
    )
    return listing


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        labels = {f.name: str(f.verbose_name) for f in Listing._meta.fields}
        return "；".join(
            f"{labels.get(name, '') + '：' if name in labels else ''}{'，'.join(messages)}"
            for name, messages in exc.message_dict.items()
        )
    return "；".join(exc.messages)


def submission_problems(listing: Listing) -> list[str]:
    """What is missing before a listing may be submitted (empty when it is complete)."""
    problems = []
    try:
        listing.full_clean(exclude=["listing_no"])
    except ValidationError as exc:
        problems.append(_validation_text(exc))
    if (
        listing.requires_resolution
        and not listing.attachments.filter(kind=AttachmentKind.RESOLUTION).exists()
    ):
        problems.append(
            "集体资产挂牌须上传成员（代表）会议决议或“四议两公开”记录作为附件（附件类型选“民主决策决议”）。"
        )
    if listing.listing_price <= 0:
        problems.append("请填写挂牌价（大于0元）。")
    if listing.reserve_price <= 0:
        problems.append("请填写底价（大于0元）。")
    return problems


@transaction.atomic
def listing_submit(*, listing: Listing, user: Any, reason: str = "") -> Listing:
    """草稿 → 乡镇审核中. A collective asset needs its decision-meeting resolution attached."""
    locked, transition = _begin(listing, "submit", user, reason)
    problems = submission_problems(locked)
    if problems:
        raise TradingError(f"项目“{locked.listing_no}”还不能提交：" + " ".join(problems))
    locked.review_status = ReviewStatus.SUBMITTED
    locked.submitted_at = _now(None)
    locked.review_reason = ""
    apply_transition(
        locked,
        transition,
        user=user,
        reason=reason,
        extra_fields=("review_status", "submitted_at", "review_reason"),
    )
    return _sync(listing, locked)


@transaction.atomic
def listing_town_approve(*, listing: Listing, user: Any, reason: str = "") -> Listing:
    """乡镇审核中 → 县级受理审核中; ``reason`` is the township opinion (乡镇审核意见)."""
    locked, transition = _begin(listing, "town_approve", user, reason)
    locked.township_opinion = (reason or "同意").strip()[:500]
    locked.review_status = ReviewStatus.APPROVED
    locked.reviewed_by = user
    locked.reviewed_at = _now(None)
    locked.review_reason = ""
    apply_transition(
        locked,
        transition,
        user=user,
        reason=reason,
        extra_fields=("township_opinion", "review_status", "reviewed_by", "reviewed_at", "review_reason"),
    )
    return _sync(listing, locked)


@transaction.atomic
def listing_town_reject(*, listing: Listing, user: Any, reason: str) -> Listing:
    """乡镇审核中 → 草稿, with the reason the village sees."""
    locked, transition = _begin(listing, "town_reject", user, reason)
    return _sync(listing, _return_to_draft(locked, transition, user, reason, "township_opinion"))


@transaction.atomic
def listing_county_approve(
    *, listing: Listing, user: Any, reason: str = "", start: date | None = None
) -> Listing:
    """县级受理审核中 → 挂牌公告中: the announcement starts (today unless ``start``) and runs
    ``announcement_days`` working days."""
    locked, transition = _begin(listing, "county_approve", user, reason)
    locked.county_opinion = (reason or "同意受理").strip()[:500]
    fields = _start_announcement(locked, start or _local_today(None))
    apply_transition(locked, transition, user=user, reason=reason, extra_fields=("county_opinion", *fields))
    return _sync(listing, locked)


@transaction.atomic
def listing_county_reject(*, listing: Listing, user: Any, reason: str) -> Listing:
    """县级受理审核中 → 草稿, with the reason."""
    locked, transition = _begin(listing, "county_reject", user, reason)
    return _sync(listing, _return_to_draft(locked, transition, user, reason, "county_opinion"))


def _return_to_draft(
    locked: Listing, transition: Transition, user: Any, reason: str, opinion: str
) -> Listing:
    setattr(locked, opinion, reason.strip()[:500])
    locked.review_status = ReviewStatus.RETURNED
    locked.reviewed_by = user
    locked.reviewed_at = _now(None)
    locked.review_reason = reason.strip()[:500]
    return apply_transition(
        locked,
        transition,
        user=user,
        reason=reason,
        extra_fields=(opinion, "review_status", "reviewed_by", "reviewed_at", "review_reason"),
    )


# ---- announcement --------------------------------------------------------------------------------


@transaction.atomic
def listing_change_announcement(*, listing: Listing, user: Any, reason: str, **changes: Any) -> Listing:
    """挂牌公告中 → 挂牌公告中: change the published target or conditions; the period restarts today.
    Registrations stay; the trading officer informs the registered parties of the change."""
    locked, transition = _begin(listing, "change", user, reason)
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        labels = "、".join(
            sorted(str(Listing._meta.get_field(n).verbose_name) for n in unknown if _is_field(n))
        )
        raise TradingError(f"变更公告不能修改：{labels or '、'.join(sorted(unknown))}。")
    for name, value in changes.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(exclude=["listing_no"])
    except ValidationError as exc:
        raise TradingError(_validation_text(exc)) from exc
    fields = _start_announcement(locked, _local_today(None))
    apply_transition(locked, transition, user=user, reason=reason, extra_fields=(*changes, *fields))
    return _sync(listing, locked)


def _is_field(name: str) -> bool:
    try:
        Listing._meta.get_field(name)
    except Exception:
        return False
    return True


def announcement_over(listing: Listing, as_of: datetime | None = None) -> bool:
    """Whether the announcement period has ended (the whole last working day is still inside it)."""
    return bool(listing.announcement_end) and _local_today(as_of) > listing.announcement_end


def registration_open(listing: Listing, as_of: datetime | None = None) -> bool:
    """Intended transferees may register while the listing is announced and its period runs."""
    return listing.state == S.ANNOUNCED and not announcement_over(listing, as_of)


@transaction.atomic
def listing_close_announcement(
    *, listing: Listing, user: Any = None, as_of: datetime | None = None
) -> Listing:
    """挂牌公告中 → 资格确认中, once the announcement period has ended (the scheduled job)."""
    locked, transition = _begin(listing, "close_announcement", user)
    if not announcement_over(locked, as_of):
        raise TradingError(
            f"项目“{locked.listing_no}”的公告期至{locked.announcement_end:%Y年%m月%d日}，期满后才能进入资格确认。"
        )
    apply_transition(locked, transition, user=user, reason="公告期满", at=as_of)
    return _sync(listing, locked)


@transaction.atomic
def listing_relist(
    *,
    listing: Listing,
    user: Any,
    reason: str,
    listing_price: Any = None,
    reserve_price: Any = None,
    start: date | None = None,
) -> Listing:
    """流拍 → 挂牌公告中 as a new round: registrations start afresh; prices may be adjusted."""
    locked, transition = _begin(listing, "relist", user, reason)
    notes = []
    for name, value in (("listing_price", listing_price), ("reserve_price", reserve_price)):
        if value is not None:
            notes.append(f"{Listing._meta.get_field(name).verbose_name}{getattr(locked, name)}→{value}元")
            setattr(locked, name, value)
    try:
        locked.full_clean(exclude=["listing_no"])
    except ValidationError as exc:
        raise TradingError(_validation_text(exc)) from exc
    locked.round += 1
    for name in ("bidding_starts_at", "free_quote_ends_at", "bidding_ends_at"):
        setattr(locked, name, None)
    fields = _start_announcement(locked, start or _local_today(None))
    full_reason = reason.strip() + (f"（{'；'.join(notes)}）" if notes else "")
    apply_transition(
        locked,
        transition,
        user=user,
        reason=full_reason,
        extra_fields=(
            "listing_price",
            "reserve_price",
            "round",
            "bidding_starts_at",
            "free_quote_ends_at",
            "bidding_ends_at",
            *fields,
        ),
    )
    return _sync(listing, locked)


# ---- suspension and termination ------------------------------------------------------------------


@transaction.atomic
def listing_suspend(*, listing: Listing, user: Any, reason: str, at: datetime | None = None) -> Listing:
    """中止: disputes, an objection upheld during result publicity, legal problems. The clock of the
    running period stops and restarts on resumption."""
    locked, transition = _begin(listing, "suspend", user, reason)
    locked.suspended_from = locked.state
    apply_transition(locked, transition, user=user, reason=reason, at=at, extra_fields=("suspended_from",))
    return _sync(listing, locked)


@transaction.atomic
def listing_resume(*, listing: Listing, user: Any, reason: str, at: datetime | None = None) -> Listing:
    """中止 → the state it was suspended from. The remaining working days of an announcement or
    publicity period, or the remaining time of a bidding, are counted from the resumption."""
    locked, transition = _begin(listing, "resume", user, reason)
    at = _now(at)
    previous = locked.suspended_from
    if not previous:
        raise TradingError(f"项目“{locked.listing_no}”没有记录中止前的状态，无法恢复，请终结后重新挂牌。")
    fields: list[str] = ["suspended_from"]
    suspended_at = locked.state_changed_at or at
    today, suspended_on = _local_today(at), _local_today(suspended_at)
    running_periods = {S.ANNOUNCED: "announcement_end", S.RESULT_PUBLICITY: "publicity_end"}
    end_name = running_periods.get(previous)
    if end_name and getattr(locked, end_name):
        # the clock stopped on the day of suspension: the days not yet used run from today
        remaining = max(working_days_between(suspended_on, getattr(locked, end_name)), 1)
        setattr(locked, end_name, period_end(today, remaining))
        fields.append(end_name)
    if previous == S.BIDDING and locked.bidding_ends_at:
        paused = at - suspended_at
        for name in ("free_quote_ends_at", "bidding_ends_at"):
            value = getattr(locked, name)
            if value and value > suspended_at:
                setattr(locked, name, value + paused)
                fields.append(name)
    locked.suspended_from = ""
    apply_transition(
        locked, transition, user=user, reason=reason, to_state=previous, at=at, extra_fields=tuple(fields)
    )
    return _sync(listing, locked)


@transaction.atomic
def listing_terminate(*, listing: Listing, user: Any, reason: str) -> Listing:
    """终结: the transferor withdraws, or the trading cannot go on; a deal not yet attested is voided.
    Deposits are refunded by ``registrations_refund_deposits``."""
    locked, transition = _begin(listing, "terminate", user, reason)
    locked.deals.filter(is_void=False).update(is_void=True)
    apply_transition(locked, transition, user=user, reason=reason)
    return _sync(listing, locked)


@transaction.atomic
def listing_archive(*, listing: Listing, user: Any, reason: str = "") -> Listing:
    """已出具鉴证书 → 已归档."""
    locked, transition = _begin(listing, "archive", user, reason)
    apply_transition(locked, transition, user=user, reason=reason)
    return _sync(listing, locked)
