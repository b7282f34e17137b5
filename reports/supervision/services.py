"""Write services of rollout supervision (one entry point per business action)."""

from __future__ import annotations

from decimal import Decimal

from ..table import Period, ReportError
from .access import may_spot_check


def spotcheck_record(
    *, user, region_code: str, period: str, result: str, note: str = "", computed_score: Decimal | None = None
):
    """Record a city/province spot check of a county's or township's score."""
    from backoffice.regions.models import Region

    from .models import SpotCheck

    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ReportError(f"区划代码“{region_code}”不存在。")
    if not may_spot_check(user, region_code):
        raise ReportError(f"无权抽查“{region.name}”：市级可抽查所辖县（乡镇），省级可抽查全部。")
    check = SpotCheck(
        region=region,
        region_code=region.code,
        period=Period.parse(period).code,
        result=result,
        note=note,
        computed_score=computed_score,
        checked_by=user,
    )
    check.full_clean()
    check.save()
    return check
