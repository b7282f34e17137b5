"""Constraints and validation of resources and fixed-asset cards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.assets.choices import ResourceUse

from .factories import asset, resource

pytestmark = pytest.mark.django_db


def test_valid_resource_passes_validation_and_saves_with_the_org_region(org):
    row = resource(org)
    row.full_clean()
    row.save()
    assert row.region_code == org.region_code


@pytest.mark.parametrize("area", [Decimal("0"), Decimal("-1.5")])
def test_resource_area_must_be_positive(org, area):
    with pytest.raises(ValidationError) as caught:
        resource(org, area=area).full_clean()
    assert "面积应大于0" in str(caught.value.message_dict["area"])
    with pytest.raises(IntegrityError), transaction.atomic():
        resource(org, area=area).save()


def test_idle_resource_needs_idle_since(org):
    with pytest.raises(ValidationError) as caught:
        resource(org, use_mode=ResourceUse.IDLE, idle_since=None).full_clean()
    assert "闲置起始日期" in str(caught.value.message_dict["idle_since"])
    with pytest.raises(IntegrityError), transaction.atomic():
        resource(org, use_mode=ResourceUse.IDLE, idle_since=None).save()
    resource(org, use_mode=ResourceUse.IDLE, idle_since=date(2024, 3, 1), annual_income=0).full_clean()


def test_resource_in_use_cannot_carry_idle_since(org):
    with pytest.raises(ValidationError):
        resource(org, use_mode=ResourceUse.LEASED, idle_since=date(2024, 3, 1)).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        resource(org, use_mode=ResourceUse.LEASED, idle_since=date(2024, 3, 1)).save()


def test_resource_code_is_unique_within_the_org(org):
    resource(org).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        resource(org, name="另一块地").save()


def test_geometry_must_be_geojson_when_given(org):
    with pytest.raises(ValidationError) as caught:
        resource(org, geometry={"kind": "square"}).full_clean()
    assert "GeoJSON" in str(caught.value.message_dict["geometry"])
    polygon = {
        "type": "Polygon",
        "coordinates": [[[112.3, 37.6], [112.31, 37.6], [112.31, 37.61], [112.3, 37.6]]],
    }
    resource(org, geometry=polygon).full_clean()


def test_valid_asset_card_passes_validation_and_saves(org):
    card = asset(org)
    card.full_clean()
    card.save()
    assert card.pk


def test_net_value_must_equal_original_minus_depreciation(org):
    with pytest.raises(ValidationError) as caught:
        asset(org, net_value=Decimal("350000.00")).full_clean()
    assert "349999.90" in str(caught.value.message_dict["net_value"])
    with pytest.raises(IntegrityError), transaction.atomic():
        asset(org, net_value=Decimal("350000.00")).save()


def test_depreciation_cannot_exceed_original_value(org):
    values = {"accumulated_depreciation": Decimal("600000.00"), "net_value": Decimal("-100000.00")}
    with pytest.raises(ValidationError) as caught:
        asset(org, **values).full_clean()
    assert "不能大于原值" in str(caught.value.message_dict["accumulated_depreciation"])
    with pytest.raises(IntegrityError), transaction.atomic():
        asset(org, **values).save()


def test_disposal_cannot_precede_acquisition(org):
    with pytest.raises(ValidationError):
        asset(org, disposed_on=date(2009, 1, 1)).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        asset(org, disposed_on=date(2009, 1, 1)).save()
