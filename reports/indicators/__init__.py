"""The indicator catalogue, split by concept: finance (R1/R2), income distribution (R1), contracts
(R3), assets (R4), orgs (R11) and the other monitoring modules (R5–R10, R12, R13).

``CATALOGUE`` maps an indicator code to its ``IndicatorSpec``; ``SOURCES`` maps a source key to its
``Source`` (one grouped query per source and report build).
"""

from __future__ import annotations

from . import assets, contracts, distribution, finance, monitoring, orgs
from .base import IndicatorSpec, Source

_MODULES = (finance, distribution, contracts, assets, orgs, monitoring)

CATALOGUE: dict[str, IndicatorSpec] = {}
SOURCES: dict[str, Source] = {}
for _module in _MODULES:
    for _spec in _module.INDICATORS:
        if _spec.code in CATALOGUE:
            raise ValueError(f"duplicate indicator code {_spec.code}")
        CATALOGUE[_spec.code] = _spec
    for _source in _module.SOURCES:
        SOURCES[_source.key] = _source

__all__ = ["CATALOGUE", "SOURCES", "IndicatorSpec", "Source"]
