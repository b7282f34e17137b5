"""Who may act on a listing: the actor groups of the state machine and the scope check (DOMAIN.md §6.4).

A transition names the actor group that performs it; a user acts when they hold one of the group's
roles (or the matching model permission) AND the listing lies in their scope. Superusers pass both.
The system actor (``user=None``) is the scheduled job making the transitions a period end causes.
"""

from __future__ import annotations

import enum
from typing import Any

from backoffice.accounts.roles import Role
from backoffice.core.scope import code_in_scope


class TradingError(Exception):
    """A trading action that is not allowed now; the message (Chinese) is shown to the user as is."""


class Actor(enum.Enum):
    """Actor groups of DOMAIN.md §6.4, with the roles (and alternatively the permission) that form them."""

    #: the village bookkeeper drafts; the township window may draft for the village (乡村两级采集录入)
    VILLAGE = ((Role.VILLAGE_BOOKKEEPER, Role.TOWNSHIP_REVIEWER), "", "村级报账员或乡镇农经专岗")
    #: township rural-economy staff review (农经专岗)
    TOWNSHIP = ((Role.TOWNSHIP_REVIEWER,), "trading.review_listing", "乡镇农经专岗")
    #: the county trading institution accepts, organises the trading and attests
    COUNTY = (
        (Role.TRADING_OFFICER, Role.COUNTY_ADMIN),
        "trading.manage_trading",
        "县级产权交易专员或县级管理员",
    )
    #: a period end: the scheduled job, or the county institution on its behalf
    SYSTEM = (
        (Role.TRADING_OFFICER, Role.COUNTY_ADMIN),
        "trading.manage_trading",
        "系统（期限届满）或县级产权交易专员",
    )

    def __init__(self, roles: tuple[Role, ...], permission: str, label: str) -> None:
        self.roles = roles
        self.permission = permission
        self.label = label


def holds(user: Any, actor: Actor) -> bool:
    """Whether ``user`` belongs to the actor group (role or permission); scope is checked separately."""
    if user is None:
        return actor is Actor.SYSTEM
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    if any(user.has_role(role) for role in actor.roles):
        return True
    return bool(actor.permission) and user.has_perm(actor.permission)


def authorise(user: Any, actor: Actor, *, region_code: str, what: str, subject: str) -> None:
    """Raise ``TradingError`` unless ``user`` may do ``what`` on ``subject`` (in ``region_code``)."""
    if not holds(user, actor):
        raise TradingError(f"“{what}”应由{actor.label}办理，您没有相应的角色。")
    if user is not None and not code_in_scope(user, region_code):
        raise TradingError(f"“{subject}”不在您的管辖范围内，不能{what}。")
