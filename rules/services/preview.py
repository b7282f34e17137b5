"""Preview of a params change: the alerts it would open and close, by township, without saving."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType

from ..models import ACTIVE_STATES, Alert
from ..variables import registry
from .runs import evaluate, period_key
from .versions import ensure_version, rule_of


def preview(*, code: str, overrides: dict[str, dict], as_of: date, region: str | None = None) -> dict:
    """What a params change would do: alerts that would open and close, by township, without saving."""
    version = ensure_version(code)
    rule = rule_of(version)
    model = registry.model(rule.subject)
    ct = ContentType.objects.get_for_model(model)
    key = period_key(rule, as_of)
    matched, _extra, cleared, _scanned = evaluate(rule=rule, overrides=overrides, as_of=as_of, region=region)
    active = set(
        Alert.objects.filter(code=code, content_type=ct, period_key=key, state__in=ACTIVE_STATES).values_list(
            "object_id", flat=True
        )
    )
    to_open = [pk for pk in matched if str(pk) not in active]
    to_close = [pk for pk in cleared if str(pk) in active]
    regions = dict(model._base_manager.filter(pk__in=to_open + to_close).values_list("pk", "region_code"))
    by_region: dict[str, dict[str, int]] = {}
    for pk in to_open:
        by_region.setdefault(regions[pk][:9], {"open": 0, "close": 0})["open"] += 1
    for pk in to_close:
        by_region.setdefault(regions[pk][:9], {"open": 0, "close": 0})["close"] += 1
    return {"open": len(to_open), "close": len(to_close), "by_region": by_region}
