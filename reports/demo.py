"""Demo report snapshots: the 合同兑现 table (R3) of the last complete quarter, frozen for every demo
township, and the bookkeeper's township reviewed by its township reviewer, so that the snapshot list shows
the review chain at work (township reviewed → county → city → province lock) from the first login."""

from __future__ import annotations

from backoffice.core.demo import DemoContext

DEMO_ORDER = 95  # after every record-type module: a snapshot freezes their approved data


def seed(ctx: DemoContext) -> dict[str, int]:
    from backoffice.accounts.models import User

    from .snapshots import generate_snapshot, review_snapshot
    from .table import Period

    users = {u.username: u for u in User.objects.filter(username__in=ctx.users.values())}
    reviewer = users.get(ctx.users.get("乡镇农经专岗", ""))
    quarter = Period.containing("quarter", ctx.as_of).previous()
    county = reviewer.scope_region_id[:6] if reviewer is not None else ""  # the demo county, not a whole city
    townships = sorted({code[:9] for _pk, code in ctx.village_orgs if code.startswith(county)})
    made = 0
    for prefix in townships:
        snapshot = generate_snapshot("R3", region_code=prefix.ljust(12, "0"), period=quarter, if_missing=True)
        made += 1
        if reviewer is not None and reviewer.scope_region_id.startswith(prefix):
            review_snapshot(snapshot, user=reviewer)
    return {"report snapshots": made}
