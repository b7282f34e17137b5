"""The listing state machine (DOMAIN.md §6.4): the transition table and the one core that applies a
transition.

Every transition locks the listing row (``select_for_update``; on SQLite the IMMEDIATE transaction
serialises writers), checks the current state, the actor's role and scope, writes the new state and one
``ListingEvent`` (actor, time, reason). Invalid transitions raise ``TradingError`` with a Chinese
message. ``TRANSITIONS`` is the table; ``listing_transition`` reaches any transition that needs no extra
input by its target state; ``allowed_transitions`` lists what a user may do now (for buttons). The named
services are in ``listing.py``, ``bidding.py`` and ``deal.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from backoffice.core.scope import code_in_scope

from ..choices import ListingState as S
from ..choices import QualificationStatus
from ..models import Listing, ListingEvent
from .access import Actor, TradingError, authorise, holds


@dataclass(frozen=True)
class Transition:
    """One row of the state machine: ``action`` moves a listing from any of ``sources`` to ``target``."""

    action: str
    label: str
    sources: frozenset[str]
    #: the target state; ``None`` when it is decided by the data (eligibility outcome, resume, bidding)
    target: str | None
    actor: Actor
    needs_reason: bool = False


def _t(action: str, label: str, sources, target, actor: Actor, needs_reason: bool = False) -> Transition:
    return Transition(action, label, frozenset(sources), target, actor, needs_reason)


#: states a listing can be suspended from (中止) and terminated from (终结)
SUSPENDABLE = (
    S.ANNOUNCED,
    S.ELIGIBILITY,
    S.NEGOTIATION,
    S.BIDDING,
    S.DEAL,
    S.RESULT_PUBLICITY,
    S.CONTRACT,
    S.SETTLEMENT,
)
TERMINABLE = (*SUSPENDABLE, S.UNSOLD, S.SUSPENDED)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", "提交乡镇审核", [S.DRAFT], S.TOWN_REVIEW, Actor.VILLAGE),
        _t("town_approve", "乡镇审核通过", [S.TOWN_REVIEW], S.COUNTY_REVIEW, Actor.TOWNSHIP),
        _t("town_reject", "乡镇审核退回", [S.TOWN_REVIEW], S.DRAFT, Actor.TOWNSHIP, True),
        _t("county_approve", "县级受理并发布挂牌公告", [S.COUNTY_REVIEW], S.ANNOUNCED, Actor.COUNTY),
        _t("county_reject", "县级受理退回", [S.COUNTY_REVIEW], S.DRAFT, Actor.COUNTY, True),
        _t("change", "变更挂牌公告（公告期重新计算）", [S.ANNOUNCED], S.ANNOUNCED, Actor.COUNTY, True),
        _t("close_announcement", "公告期满，进入资格确认", [S.ANNOUNCED], S.ELIGIBILITY, Actor.SYSTEM),
        _t("conclude_eligibility", "确认竞买资格并确定交易方式", [S.ELIGIBILITY], None, Actor.COUNTY),
        _t("negotiation_deal", "协议成交", [S.NEGOTIATION], S.DEAL, Actor.COUNTY),
        _t("negotiation_fail", "协议未成交（流拍）", [S.NEGOTIATION], S.UNSOLD, Actor.COUNTY, True),
        _t("close_bidding", "竞价结束", [S.BIDDING], None, Actor.SYSTEM),
        _t("relist", "重新挂牌", [S.UNSOLD], S.ANNOUNCED, Actor.COUNTY, True),
        _t("publish_result", "发布成交结果公示", [S.DEAL], S.RESULT_PUBLICITY, Actor.COUNTY),
        _t("close_publicity", "公示期满，进入签约", [S.RESULT_PUBLICITY], S.CONTRACT, Actor.SYSTEM),
        _t("sign_contract", "登记合同签订", [S.CONTRACT], S.SETTLEMENT, Actor.COUNTY),
        _t("attest", "出具交易鉴证书", [S.SETTLEMENT], S.ATTESTED, Actor.COUNTY),
        _t("archive", "归档", [S.ATTESTED], S.ARCHIVED, Actor.COUNTY),
        _t("suspend", "中止交易", SUSPENDABLE, S.SUSPENDED, Actor.COUNTY, True),
        _t("resume", "恢复交易", [S.SUSPENDED], None, Actor.COUNTY, True),
        _t("terminate", "终结交易", TERMINABLE, S.TERMINATED, Actor.COUNTY, True),
    )
}

# ---- core -----------------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _state_label(state: str) -> str:
    return S(state).label if state in S.values else state


def lock_listing(listing: Listing | int) -> Listing:
    """The listing row, locked for the rest of the transaction (callers hold ``transaction.atomic``)."""
    pk = listing.pk if isinstance(listing, Listing) else listing
    return Listing.objects.select_for_update().get(pk=pk)


def check_transition(locked: Listing, transition: Transition, user: Any, reason: str = "") -> None:
    """Raise ``TradingError`` unless ``transition`` may be applied to ``locked`` by ``user`` now."""
    if locked.state not in transition.sources:
        raise TradingError(
            f"项目“{locked.listing_no}”当前状态为“{_state_label(locked.state)}”，不能{transition.label}。"
        )
    authorise(
        user,
        transition.actor,
        region_code=locked.region_code,
        what=transition.label,
        subject=locked.listing_no,
    )
    if transition.needs_reason and not (reason or "").strip():
        raise TradingError(f"{transition.label}必须填写原因或意见。")


def apply_transition(
    locked: Listing,
    transition: Transition,
    *,
    user: Any,
    reason: str = "",
    to_state: str | None = None,
    at: datetime | None = None,
    extra_fields: tuple[str, ...] = (),
) -> Listing:
    """Move the locked listing to ``to_state`` (or the transition's target) and log the event.

    The caller has called ``check_transition`` and set any other fields, named in ``extra_fields``."""
    at = _now(at)
    target = to_state or transition.target
    if target is None:
        raise TradingError(f"{transition.label}：未确定目标状态。")
    from_state = locked.state
    locked.state = target
    locked.state_changed_at = at
    if user is not None:
        locked.updated_by = user
    locked.save(update_fields=["state", "state_changed_at", "updated_by", "updated_at", *extra_fields])
    ListingEvent.objects.create(
        listing=locked,
        region_code=locked.region_code,
        action=transition.action,
        from_state=from_state,
        to_state=target,
        actor=user,
        # the audit time is when it was recorded; ``at`` (the effective time) may be a job's as-of
        at=timezone.now(),
        reason=(reason or "").strip()[:500],
        round=locked.round,
    )
    return locked


def _sync(listing: Listing, locked: Listing) -> Listing:
    """Refresh the caller's instance so that it shows the new state too; returns the locked instance."""
    if listing is not locked:
        listing.refresh_from_db()
    return locked


def _begin(listing: Listing, action: str, user: Any, reason: str = "") -> tuple[Listing, Transition]:
    locked = lock_listing(listing)
    transition = TRANSITIONS[action]
    check_transition(locked, transition, user, reason)
    return locked, transition


def _local_today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


# ---- generic entry points --------------------------------------------------------------------------

#: transitions reachable by ``listing_transition`` without extra input, by (source, target)
_SIMPLE = {
    "submit": "listing_submit",
    "town_approve": "listing_town_approve",
    "town_reject": "listing_town_reject",
    "county_approve": "listing_county_approve",
    "county_reject": "listing_county_reject",
    "close_announcement": "listing_close_announcement",
    "conclude_eligibility": "listing_conclude_eligibility",
    "negotiation_fail": "listing_negotiation_fail",
    "close_bidding": "listing_close_bidding",
    "relist": "listing_relist",
    "publish_result": "listing_publish_result",
    "close_publicity": "listing_close_publicity",
    "attest": "listing_attest",
    "archive": "listing_archive",
    "suspend": "listing_suspend",
    "resume": "listing_resume",
    "terminate": "listing_terminate",
}
#: services that need more than a reason, with what the caller must supply instead
_NEEDS_INPUT = {
    "negotiation_deal": "请使用“协议成交”并填写成交价（listing_negotiation_deal）。",
    "sign_contract": "请使用“登记合同签订”并填写合同编号和签订日期（listing_sign_contract）。",
    "change": "请使用“变更挂牌公告”并填写变更内容（listing_change_announcement）。",
}


@transaction.atomic
def listing_transition(*, listing: Listing, to_state: str, user: Any, reason: str = "") -> Listing:
    """Move ``listing`` to ``to_state`` by the one transition that leads there from its current state.

    Transitions whose target depends on the data (eligibility outcome, end of bidding, resume) are
    reached when ``to_state`` is the outcome the data gives; otherwise ``TradingError`` says why and
    nothing changes (the whole call is one transaction)."""
    current = Listing.objects.values_list("state", flat=True).get(pk=listing.pk)
    candidates = [
        t for t in TRANSITIONS.values() if current in t.sources and (t.target == to_state or t.target is None)
    ]
    exact = [t for t in candidates if t.target == to_state]
    chosen = (exact or candidates or [None])[0]
    if chosen is None:
        raise TradingError(
            f"项目“{listing.listing_no}”当前状态为“{_state_label(current)}”，不能转为“{_state_label(to_state)}”。"
        )
    if chosen.action in _NEEDS_INPUT:
        raise TradingError(_NEEDS_INPUT[chosen.action])
    kwargs: dict[str, Any] = {"listing": listing, "user": user}
    if chosen.action not in _NO_REASON:
        kwargs["reason"] = reason
    if chosen.needs_reason and not (reason or "").strip():
        raise TradingError(f"{chosen.label}必须填写原因或意见。")
    result = _service_for(chosen.action)(**kwargs)
    result = result.listing if not isinstance(result, Listing) else result
    if result.state != to_state:
        raise TradingError(
            f"项目“{listing.listing_no}”按现有情况应转为“{_state_label(result.state)}”，"
            f"不能转为“{_state_label(to_state)}”。"
        )
    return result


#: period-end and eligibility services take no reason (the event reason is fixed)
_NO_REASON = frozenset({"close_announcement", "close_bidding", "close_publicity", "conclude_eligibility"})


def _service_for(action: str):
    from . import bidding, deal, listing

    name = _SIMPLE[action]
    for namespace in (vars(listing), vars(bidding), vars(deal)):
        if name in namespace:
            return namespace[name]
    raise LookupError(name)


def allowed_transitions(listing: Listing, user: Any) -> list[Transition]:
    """Transitions the user could start on the listing now (state, role and scope; not the data checks)."""
    if user is not None and not code_in_scope(user, listing.region_code):
        return []
    return [t for t in TRANSITIONS.values() if listing.state in t.sources and holds(user, t.actor)]


def qualified_registrations(listing: Listing):
    """The qualified registrations of the listing's current round."""
    return listing.registrations.filter(
        round=listing.round, qualification_status=QualificationStatus.QUALIFIED
    )
