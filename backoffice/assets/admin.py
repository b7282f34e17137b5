"""Admin of 资源性资产: generated from each record type's spec."""

from backoffice.core.record_admin import register_record_types

from .models import FixedAsset, Resource

register_record_types(Resource, FixedAsset)
