"""After the deal: result publicity, contract signing, settlement and attestation (DOMAIN.md §6.4, §6.7).

The certificate row is created here (number, verification code); its PDF, the public verification
page and the creation of the monitoring-side contract are in ``backoffice.trading.certificate`` and
``backoffice.trading.closure``, which call ``listing_attest`` inside their own transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..choices import DepositStatus
from ..models import Certificate, Deal, Listing
from .access import TradingError
from .machine import (
    TRANSITIONS,
    _begin,
    _local_today,
    _sync,
    apply_transition,
    check_transition,
    lock_listing,
)
from .periods import period_end


def current_deal(listing: Listing) -> Deal | None:
    """The valid deal of the listing's current round, if any."""
    return listing.deals.filter(round=listing.round, is_void=False).select_related("registration").first()


def _deal_of(locked: Listing) -> Deal:
    deal = current_deal(locked)
    if deal is None:
        raise TradingError(f"项目“{locked.listing_no}”没有有效的成交记录。")
    return deal


@transaction.atomic
def listing_publish_result(
    *, listing: Listing, user: Any, reason: str = "", start: date | None = None
) -> Listing:
    """成交确认 → 结果公示中 for ``publicity_days`` working days from today (or ``start``)."""
    locked, transition = _begin(listing, "publish_result", user, reason)
    _deal_of(locked)
    locked.publicity_start = start or _local_today(None)
    locked.publicity_end = period_end(locked.publicity_start, locked.publicity_days)
    apply_transition(
        locked, transition, user=user, reason=reason, extra_fields=("publicity_start", "publicity_end")
    )
    return _sync(listing, locked)


def publicity_over(listing: Listing, as_of: datetime | None = None) -> bool:
    return bool(listing.publicity_end) and _local_today(as_of) > listing.publicity_end


@transaction.atomic
def listing_close_publicity(*, listing: Listing, user: Any = None, as_of: datetime | None = None) -> Listing:
    """结果公示中 → 待签约 once the publicity period has ended without an upheld objection."""
    locked, transition = _begin(listing, "close_publicity", user)
    if not publicity_over(locked, as_of):
        raise TradingError(
            f"项目“{locked.listing_no}”的结果公示期至{locked.publicity_end:%Y年%m月%d日}，期满后才能进入签约。"
        )
    apply_transition(locked, transition, user=user, reason="公示期满无异议", at=as_of)
    return _sync(listing, locked)


@transaction.atomic
def listing_sign_contract(
    *, listing: Listing, user: Any, contract_no: str, signed_on: date, reason: str = ""
) -> Deal:
    """待签约 → 价款结算中: the parties signed the contract (platform template)."""
    locked, transition = _begin(listing, "sign_contract", user, reason)
    contract_no = (contract_no or "").strip()
    if not contract_no:
        raise TradingError("请填写合同编号。")
    if signed_on is None:
        raise TradingError("请填写合同签订日期。")
    deal = _deal_of(locked)
    if signed_on < timezone.localtime(deal.decided_at).date():
        raise TradingError(f"合同签订日期不能早于成交日期{timezone.localtime(deal.decided_at):%Y-%m-%d}。")
    deal.contract_no, deal.contract_signed_on = contract_no, signed_on
    deal.save(update_fields=["contract_no", "contract_signed_on"])
    apply_transition(locked, transition, user=user, reason=reason or f"合同编号{contract_no}")
    _sync(listing, locked)
    return deal


@transaction.atomic
def listing_record_settlement(
    *, listing: Listing, user: Any, paid_amount: Decimal, settled_on: date | None = None
) -> Deal:
    """价款结算 (stays 价款结算中): the proceeds reached the settlement account; the winner's deposit is
    converted into price and every other paid deposit of the round is refunded. Logged as an event."""
    locked = lock_listing(listing)
    transition = TRANSITIONS["attest"]  # same state and actor as the attestation that follows
    check_transition(locked, transition, user)
    deal = _deal_of(locked)
    paid_amount = Decimal(paid_amount)
    if paid_amount < deal.price:
        raise TradingError(f"已结算价款{paid_amount}元少于成交价{deal.price}元，价款结清后才能登记结算。")
    settled_on = settled_on or timezone.localdate()
    deal.paid_amount, deal.settled_on = paid_amount, settled_on
    deal.save(update_fields=["paid_amount", "settled_on"])
    winner = deal.registration
    if winner.deposit_status == DepositStatus.PAID and winner.deposit_amount > 0:
        winner.deposit_status, winner.deposit_settled_on = DepositStatus.CONVERTED, settled_on
        winner.save(update_fields=["deposit_status", "deposit_settled_on"])
    locked.registrations.filter(
        round=locked.round, deposit_status=DepositStatus.PAID, deposit_amount__gt=0
    ).exclude(pk=winner.pk).update(deposit_status=DepositStatus.REFUNDED, deposit_settled_on=settled_on)
    from ..models import ListingEvent

    ListingEvent.objects.create(
        listing=locked,
        region_code=locked.region_code,
        action="settle",
        from_state=locked.state,
        to_state=locked.state,
        actor=user,
        at=timezone.now(),
        reason=f"价款{paid_amount}元于{settled_on:%Y-%m-%d}结清；保证金转价款/退还",
        round=locked.round,
    )
    return deal


def next_certificate_number(listing: Listing, year: int) -> str:
    """鉴证书编号: ``JZ`` + county code + year + five-digit sequence within the county and year."""
    prefix = f"JZ{listing.region_code[:6]}{year}"
    last = Certificate.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


@transaction.atomic
def listing_attest(
    *, listing: Listing, user: Any, reason: str = "", institution: str = "", at: datetime | None = None
) -> Certificate:
    """价款结算中 → 已出具鉴证书: issue the certificate of the settled deal (number + verification code)."""
    locked, transition = _begin(listing, "attest", user, reason)
    if user is None:
        raise TradingError("出具鉴证书须由经办人办理。")
    deal = _deal_of(locked)
    if deal.settled_on is None:
        raise TradingError(f"项目“{locked.listing_no}”的价款尚未登记结清，不能出具鉴证书。")
    at = at or timezone.now()
    certificate = Certificate.objects.create(
        listing=locked,
        region_code=locked.region_code,
        deal=deal,
        number=next_certificate_number(locked, timezone.localtime(at).year),
        issued_at=at,
        issued_by=user,
        institution=institution or locked.get_trading_institution_display(),
    )
    apply_transition(locked, transition, user=user, reason=reason or f"鉴证书编号{certificate.number}", at=at)
    _sync(listing, locked)
    return certificate
