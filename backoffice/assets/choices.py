"""Choices of 资源性资产 and the fixed-asset register (DOMAIN.md §2.8, Appendix A)."""

from django.db import models


class ResourceClass(models.TextChoices):
    """Resource classification used in 清产核资 practice, after GB/T 21010 land-use classes [M/P]."""

    CULTIVATED = "cultivated", "耕地"
    GARDEN = "garden", "园地"
    FOREST = "forest", "林地"
    GRASSLAND = "grassland", "草地"
    WATER = "water", "坑塘水面/养殖水面"
    OTHER_AGRICULTURAL = "other_agricultural", "其他农用地"
    BUSINESS_CONSTRUCTION = "business_construction", "集体经营性建设用地"
    HOMESTEAD = "homestead", "宅基地（汇总）"
    PUBLIC_FACILITY = "public_facility", "公共设施/公益用地"
    WASTELAND = "wasteland", "四荒地（荒山、荒沟、荒丘、荒滩）"
    OTHER_UNUSED = "other_unused", "其他未利用地"


class ResourceUse(models.TextChoices):
    HOUSEHOLD_CONTRACTED = "household", "家庭承包"
    OTHER_CONTRACTED = "other_contract", "其他方式承包"
    LEASED = "leased", "出租"
    SELF_OPERATED = "self", "自营"
    SHAREHOLDING = "shareholding", "入股"
    IDLE = "idle", "闲置"


class AssetCategory(models.TextChoices):
    HOUSE = "house", "房屋"
    STRUCTURE = "structure", "建筑物/构筑物"
    MACHINERY = "machinery", "机器设备"
    VEHICLE = "vehicle", "交通运输工具"
    WATER_FACILITY = "water_facility", "农田水利设施"
    ROAD_BRIDGE = "road_bridge", "道路桥梁"
    PUBLIC_WELFARE = "public_welfare", "教科文卫体公益设施"
    BIOLOGICAL = "biological", "林木/牲畜（生物资产）"
    INTANGIBLE = "intangible", "无形资产"
    OTHER = "other", "其他"


class AssetNature(models.TextChoices):
    OPERATING = "operating", "经营性"
    NON_OPERATING = "non_operating", "非经营性"
    PENDING = "pending", "待界定"


class OperationMode(models.TextChoices):
    SELF_OPERATED = "self", "自营/自用"
    LEASED = "leased", "出租"
    CONTRACTED = "contracted", "承包"
    SHAREHOLDING = "shareholding", "入股"
    IDLE = "idle", "闲置"
