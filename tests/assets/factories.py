"""Unsaved resources and asset cards with valid defaults; tests override one field at a time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backoffice.assets.choices import AssetCategory, AssetNature, OperationMode, ResourceClass, ResourceUse
from backoffice.assets.models import FixedAsset, Resource


def resource(org, **overrides) -> Resource:
    values = {
        "org": org,
        "resource_code": "T-R-001",
        "name": "东坡耕地",
        "resource_class": ResourceClass.CULTIVATED,
        "location": "东坡片区",
        "area": Decimal("12.50"),
        "use_mode": ResourceUse.LEASED,
        "annual_income": Decimal("6000.00"),
    }
    values.update(overrides)
    return Resource(**values)


def asset(org, **overrides) -> FixedAsset:
    values = {
        "org": org,
        "asset_code": "T-A-001",
        "name": "集体门面房",
        "category": AssetCategory.HOUSE,
        "nature": AssetNature.OPERATING,
        "acquired_on": date(2010, 5, 1),
        "original_value": Decimal("500000.00"),
        "accumulated_depreciation": Decimal("150000.10"),
        "net_value": Decimal("349999.90"),
        "operation_mode": OperationMode.LEASED,
    }
    values.update(overrides)
    return FixedAsset(**values)
