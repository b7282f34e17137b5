"""Registration of intended transferees during the announcement, their qualification review and
deposits (DOMAIN.md §6.4 step 4, §6.6).

The county trading window registers a party (name, ID or credit code, phone); the party gets a
``bidder_no`` when qualified and uses its ``access_code`` to bid online. Membership of the transferor
collective (the priority right) is read from the member register (``reform.Member``) when the
organisation has one, so it cannot simply be claimed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from backoffice.core.pii import SensitiveKind, pii_hash

from ..choices import BidderKind, DepositStatus, QualificationStatus
from ..choices import ListingState as S
from ..models import Listing, Registration
from .access import Actor, TradingError, authorise
from .listing import lock_listing, registration_open

#: states in which registrations may still be reviewed and deposits recorded
REVIEW_STATES = frozenset({S.ANNOUNCED, S.ELIGIBILITY})


def member_of_collective(listing: Listing, id_no: str) -> bool | None:
    """True/False from the member register of the listing's organisation; None when it has no register."""
    from backoffice.reform.choices import MemberStatus
    from backoffice.reform.models import Member

    members = Member.objects.filter(org_id=listing.org_id)
    if not members.exists():
        return None
    return members.filter(
        id_no_hash=pii_hash(id_no, SensitiveKind.RESIDENT_ID), status=MemberStatus.ACTIVE
    ).exists()


@transaction.atomic
def registration_create(
    *,
    listing: Listing,
    user: Any,
    name: str,
    id_no: str,
    phone: str,
    kind: str = BidderKind.PERSON,
    is_collective_member: bool = False,
    at: Any = None,
) -> Registration:
    """Register an intended transferee for the current round while the announcement runs."""
    locked = lock_listing(listing)
    authorise(
        user, Actor.COUNTY, region_code=locked.region_code, what="登记意向受让方", subject=locked.listing_no
    )
    if not registration_open(locked, at):
        if locked.state == S.ANNOUNCED:
            raise TradingError(
                f"项目“{locked.listing_no}”的公告期已于{locked.announcement_end:%Y年%m月%d日}届满，不再接受报名。"
            )
        raise TradingError(
            f"项目“{locked.listing_no}”当前状态为“{locked.get_state_display()}”，不在报名期内。"
        )
    if locked.transferor_kind == "collective" and kind == BidderKind.PERSON:
        registered = member_of_collective(locked, id_no)
        if registered is False and is_collective_member:
            raise TradingError(
                f"在{locked.org}的成员名册中没有找到该身份证号的正常成员，不能按本集体成员登记。"
            )
        if registered is not None:
            is_collective_member = registered
    elif kind != BidderKind.PERSON:
        is_collective_member = False
    registration = Registration(
        listing=locked,
        region_code=locked.region_code,
        round=locked.round,
        name=name.strip(),
        kind=kind,
        id_no=id_no,
        phone=phone,
        is_collective_member=is_collective_member,
        deposit_amount=locked.deposit_amount,
        deposit_status=DepositStatus.UNPAID if locked.deposit_amount > 0 else DepositStatus.PAID,
        registered_by=user,
    )
    try:
        registration.full_clean(exclude=["listing", "access_code", "id_no_hash", "phone_hash"])
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in Registration._meta.fields}
        raise TradingError(
            "；".join(f"{labels.get(k, k)}：{'，'.join(v)}" for k, v in exc.message_dict.items())
        ) from exc
    if locked.registrations.filter(
        round=locked.round, id_no_hash=pii_hash(id_no, SensitiveKind.ID_OR_CREDIT_CODE)
    ).exists():
        raise TradingError(f"该证件号已报名项目“{locked.listing_no}”本轮交易，不能重复报名。")
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        raise TradingError(f"该证件号已报名项目“{locked.listing_no}”本轮交易，不能重复报名。") from exc
    return registration


def _lock_registration(registration: Registration) -> tuple[Registration, Listing]:
    listing = lock_listing(registration.listing_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    return locked, listing


@transaction.atomic
def registration_record_deposit(
    *, registration: Registration, user: Any, paid_on: date | None = None
) -> Registration:
    """保证金已缴纳: the county confirms the deposit reached the platform settlement account."""
    locked, listing = _lock_registration(registration)
    authorise(
        user, Actor.COUNTY, region_code=listing.region_code, what="登记保证金", subject=listing.listing_no
    )
    if listing.state not in REVIEW_STATES or locked.round != listing.round:
        raise TradingError(
            f"项目“{listing.listing_no}”当前状态为“{listing.get_state_display()}”，不能登记保证金。"
        )
    if locked.deposit_status != DepositStatus.UNPAID:
        raise TradingError(
            f"{locked.name}的保证金状态为“{locked.get_deposit_status_display()}”，无需重复登记。"
        )
    locked.deposit_status = DepositStatus.PAID
    locked.deposit_paid_on = paid_on or timezone.localdate()
    locked.save(update_fields=["deposit_status", "deposit_paid_on"])
    return locked


@transaction.atomic
def registration_review(
    *, registration: Registration, user: Any, qualified: bool, note: str = ""
) -> Registration:
    """资格审查: qualified (needs the deposit paid; gets the next bidder number) or rejected (with a note)."""
    locked, listing = _lock_registration(registration)
    authorise(
        user, Actor.COUNTY, region_code=listing.region_code, what="审查竞买资格", subject=listing.listing_no
    )
    if listing.state not in REVIEW_STATES or locked.round != listing.round:
        raise TradingError(
            f"项目“{listing.listing_no}”当前状态为“{listing.get_state_display()}”，不能审查竞买资格。"
        )
    if locked.qualification_status != QualificationStatus.PENDING:
        raise TradingError(f"{locked.name}的资格审查结果已是“{locked.get_qualification_status_display()}”。")
    fields = ["qualification_status", "qualification_note", "reviewed_by", "reviewed_at"]
    if qualified:
        if locked.deposit_status != DepositStatus.PAID:
            raise TradingError(f"{locked.name}尚未缴纳保证金{locked.deposit_amount}元，不能确认资格。")
        locked.qualification_status = QualificationStatus.QUALIFIED
        last = listing.registrations.filter(round=listing.round).aggregate(n=Max("bidder_no"))["n"] or 0
        locked.bidder_no = last + 1
        fields.append("bidder_no")
    else:
        if not note.strip():
            raise TradingError("资格审查不通过时必须填写审查意见，说明不符合哪项条件。")
        locked.qualification_status = QualificationStatus.REJECTED
    locked.qualification_note = note.strip()[:300]
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def registrations_refund_deposits(
    *, listing: Listing, user: Any, refunded_on: date | None = None, keep: Registration | None = None
) -> int:
    """Refund every paid deposit of the current round except ``keep`` (the winner's); returns the count.

    Allowed once the round's outcome is fixed (deal, unsold, terminated or later)."""
    locked = lock_listing(listing)
    authorise(
        user, Actor.COUNTY, region_code=locked.region_code, what="退还保证金", subject=locked.listing_no
    )
    if locked.state in (
        S.DRAFT,
        S.TOWN_REVIEW,
        S.COUNTY_REVIEW,
        S.ANNOUNCED,
        S.ELIGIBILITY,
        S.BIDDING,
        S.NEGOTIATION,
    ):
        raise TradingError(f"项目“{locked.listing_no}”尚未确定交易结果，不能退还保证金。")
    rows = locked.registrations.filter(
        round=locked.round, deposit_status=DepositStatus.PAID, deposit_amount__gt=0
    )
    if keep is not None:
        rows = rows.exclude(pk=keep.pk)
    return rows.update(
        deposit_status=DepositStatus.REFUNDED, deposit_settled_on=refunded_on or timezone.localdate()
    )


def registration_counts(listing: Listing) -> dict[str, int]:
    """Public process milestone: how many registered and how many qualified this round (no identities)."""
    rows = listing.registrations.filter(round=listing.round)
    return {
        "registered": rows.count(),
        "qualified": rows.filter(qualification_status=QualificationStatus.QUALIFIED).count(),
    }
