"""Who may do what on the supervision pages. Reading follows the report pages (staff with a scope of
township level or above); the data itself is always cut by ``visible_to``."""

from __future__ import annotations

from backoffice.core.scope import UNRESTRICTED, code_in_scope, level_of_code, scope_prefix

from ..web.views import may_view_reports

PROVINCE_POLICY_GROUP = "省级政策管理员"


def may_supervise(user) -> bool:
    return may_view_reports(user)


def may_edit_scorecard(user) -> bool:
    """Province policy staff (政策与改革处) own the scorecard; superusers too."""
    prefix = scope_prefix(user)
    if prefix is UNRESTRICTED:
        return True
    if not getattr(user, "is_staff", False) or not isinstance(prefix, str) or len(prefix) != 2:
        return False
    return user.groups.filter(name=PROVINCE_POLICY_GROUP).exists()


def may_spot_check(user, region_code: str) -> bool:
    """A city (or the province) checks the counties and townships below it (市对县考核, 省级抽查)."""
    prefix = scope_prefix(user)
    if prefix is None or not getattr(user, "is_staff", False):
        return False
    if level_of_code(region_code) not in (3, 4) or not code_in_scope(user, region_code):
        return False
    return prefix is UNRESTRICTED or len(prefix) <= 4
