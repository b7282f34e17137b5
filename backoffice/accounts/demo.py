"""One demo user per role, scoped to the demo regions (password printed by seed_demo)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from backoffice.core.demo import DEMO_PASSWORD, DemoContext
from backoffice.regions.models import Region

from .models import User
from .roles import Role, sync_role_permissions

DEMO_ORDER = 20


def seed(ctx: DemoContext) -> dict[str, int]:
    sync_role_permissions()
    township = ctx.township_orgs[0][1]
    village = next(code for _, code in ctx.village_orgs if code.startswith(township[:9]))
    # County-level users sit over the demo township's county (清徐县 in the tiny and county presets, the
    # city's first county in the city preset), so that every role can act on the demo township's records.
    county = township[:6].ljust(12, "0")
    county_name = Region.objects.get(code=county).name
    plan = [
        ("admin", None, "系统管理员", None),
        ("province_policy", Role.PROVINCE_POLICY, "省级政策管理员", "140000000000"),
        ("city_analyst", Role.CITY_ANALYST, "太原市分析员", "140100000000"),
        ("county_admin", Role.COUNTY_ADMIN, f"{county_name}管理员", county),
        ("supervisor", Role.SUPERVISOR, f"{county_name}监督员", county),
        ("trading_officer", Role.TRADING_OFFICER, f"{county_name}交易专员", county),
        ("auditor", Role.AUDITOR, "省级审计员", "140000000000"),
        ("township_reviewer", Role.TOWNSHIP_REVIEWER, "乡镇农经专岗", township),
        ("village_bookkeeper", Role.VILLAGE_BOOKKEEPER, "村级报账员", village),
    ]
    for username, role, display, region in plan:
        user = User(
            username=username,
            display_name=display,
            scope_region_id=region,
            is_staff=True,
            is_superuser=role is None,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role is not None:
            user.groups.add(Group.objects.get(name=role.label))
        ctx.users[role.label if role else "超级管理员"] = username
    return {"users": len(plan)}
