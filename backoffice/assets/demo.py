"""Demo resources and fixed-asset cards (about 20 resources and 8 asset cards per village at county scale).

Deliberate cases: about 8% of resources idle for more than 180 days before ``ctx.as_of`` (A9) and a
few idle only recently; leased and contracted resources and operating assets become contract subjects
in the contracts demo. In every township the first village has one long-idle and one recently idle
resource, so that the tiny demo shows both.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext

from .choices import AssetCategory, AssetNature, OperationMode, ResourceClass, ResourceUse
from .models import FixedAsset, Resource

DEMO_ORDER = 35
PLACES = [
    "东坡",
    "西梁",
    "南沟",
    "北岭",
    "前滩",
    "后洼",
    "河湾",
    "大坪",
    "小峪",
    "柳林",
    "枣园",
    "杏坡",
    "泉头",
    "堡子",
    "旧窑",
    "新渠",
]
NEIGHBOURS = ("道路", "渠", "集体耕地", "林带", "河滩", "村界", "农户承包地", "荒坡", "机耕路", "水渠")

#: (class, weight, area range 亩, income range 元/亩·年 when let out)
RESOURCE_PROFILES = [
    (ResourceClass.CULTIVATED, 34, (5, 320), (300, 900)),
    (ResourceClass.GARDEN, 8, (3, 80), (400, 1000)),
    (ResourceClass.FOREST, 10, (30, 1500), (20, 80)),
    (ResourceClass.GRASSLAND, 4, (20, 400), (30, 100)),
    (ResourceClass.WATER, 6, (2, 60), (400, 1200)),
    (ResourceClass.OTHER_AGRICULTURAL, 5, (1, 40), (100, 400)),
    (ResourceClass.BUSINESS_CONSTRUCTION, 8, (1, 30), (3000, 12000)),
    (ResourceClass.HOMESTEAD, 4, (50, 600), (0, 0)),
    (ResourceClass.PUBLIC_FACILITY, 5, (1, 25), (0, 0)),
    (ResourceClass.WASTELAND, 12, (20, 600), (10, 50)),
    (ResourceClass.OTHER_UNUSED, 4, (5, 200), (0, 0)),
]
NOT_LETTABLE = {ResourceClass.HOMESTEAD, ResourceClass.PUBLIC_FACILITY}
USE_WEIGHTS = [
    (ResourceUse.HOUSEHOLD_CONTRACTED, 30),
    (ResourceUse.OTHER_CONTRACTED, 22),
    (ResourceUse.LEASED, 20),
    (ResourceUse.SELF_OPERATED, 9),
    (ResourceUse.SHAREHOLDING, 6),
]
LONG_IDLE_SHARE = 0.08
RECENT_IDLE_SHARE = 0.025

#: (category, name, nature, movable, original value range 元, operation modes, building m² range)
ASSET_PROFILES = [
    (
        AssetCategory.HOUSE,
        "村委办公楼",
        AssetNature.NON_OPERATING,
        False,
        (300_000, 1_800_000),
        [OperationMode.SELF_OPERATED],
        (300, 1200),
    ),
    (
        AssetCategory.HOUSE,
        "集体门面房",
        AssetNature.OPERATING,
        False,
        (150_000, 900_000),
        [OperationMode.LEASED, OperationMode.LEASED, OperationMode.IDLE],
        (80, 600),
    ),
    (
        AssetCategory.STRUCTURE,
        "冷库",
        AssetNature.OPERATING,
        False,
        (200_000, 1_200_000),
        [OperationMode.LEASED, OperationMode.CONTRACTED, OperationMode.SHAREHOLDING],
        (200, 1500),
    ),
    (
        AssetCategory.STRUCTURE,
        "日光温室大棚",
        AssetNature.OPERATING,
        False,
        (60_000, 400_000),
        [OperationMode.CONTRACTED, OperationMode.LEASED, OperationMode.IDLE],
        (600, 3000),
    ),
    (
        AssetCategory.WATER_FACILITY,
        "机井",
        AssetNature.NON_OPERATING,
        False,
        (30_000, 150_000),
        [OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.ROAD_BRIDGE,
        "田间道路",
        AssetNature.NON_OPERATING,
        False,
        (100_000, 1_500_000),
        [OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.PUBLIC_WELFARE,
        "文化广场",
        AssetNature.NON_OPERATING,
        False,
        (80_000, 600_000),
        [OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.MACHINERY,
        "拖拉机",
        AssetNature.OPERATING,
        True,
        (40_000, 220_000),
        [OperationMode.LEASED, OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.VEHICLE,
        "垃圾清运车",
        AssetNature.NON_OPERATING,
        True,
        (60_000, 200_000),
        [OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.BIOLOGICAL,
        "集体经济林",
        AssetNature.PENDING,
        False,
        (20_000, 300_000),
        [OperationMode.CONTRACTED, OperationMode.SELF_OPERATED],
        None,
    ),
    (
        AssetCategory.OTHER,
        "光伏电站（入股）",
        AssetNature.OPERATING,
        False,
        (300_000, 1_000_000),
        [OperationMode.SHAREHOLDING],
        None,
    ),
]
KEEPERS = [
    "王建国",
    "李志强",
    "张海军",
    "刘红梅",
    "陈永刚",
    "杨丽娟",
    "赵俊杰",
    "黄春生",
    "周玉兰",
    "吴国庆",
    "郭文华",
    "马宝山",
]


def _review_status(rng) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.86:
        return ReviewStatus.APPROVED, ""
    if roll < 0.94:
        return ReviewStatus.SUBMITTED, ""
    if roll < 0.97:
        return ReviewStatus.RETURNED, "面积与权属证书不一致，请核对后重新提交"
    return ReviewStatus.DRAFT, ""


def _polygon(rng, region_code: str) -> dict:
    """A small quadrilateral near 清徐县 (112.36E, 37.60N), offset by village."""
    lon = 112.2 + (int(region_code[-3:]) % 50) * 0.006 + rng.uniform(0, 0.05)
    lat = 37.5 + (int(region_code[6:9]) % 20) * 0.01 + rng.uniform(0, 0.05)
    d = rng.uniform(0.001, 0.004)
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d * 0.8], [lon, lat + d * 0.8], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _certificate(rng, resource_class: str, year: int) -> str:
    if rng.random() < 0.35:
        return ""
    if resource_class == ResourceClass.FOREST:
        return f"晋（{year}）清徐县林权证第{rng.randint(1, 9999):06d}号"
    if resource_class in (ResourceClass.BUSINESS_CONSTRUCTION, ResourceClass.PUBLIC_FACILITY):
        return f"晋（{year}）清徐县不动产权第{rng.randint(1, 99999):07d}号"
    return f"晋（{year}）清徐县集体土地所有权第{rng.randint(1, 9999):05d}号"


def _resources(ctx: DemoContext, rng, org_id: int, code: str, first_in_town: bool) -> list[Resource]:
    count = max(6, round(rng.randint(15, 25) * ctx.volume))
    classes = [p for p in RESOURCE_PROFILES]
    weights = [p[1] for p in RESOURCE_PROFILES]
    rows = []
    for seq in range(1, count + 1):
        resource_class, _, (a_lo, a_hi), (p_lo, p_hi) = rng.choices(classes, weights)[0]
        area = Decimal(str(round(rng.uniform(a_lo, a_hi), 2)))
        roll = rng.random()
        idle_since = None
        if first_in_town and seq == count:
            roll = 0.0  # guaranteed long-idle in every township's first village
        elif first_in_town and seq == count - 1:
            roll = LONG_IDLE_SHARE + 0.001
        if roll < LONG_IDLE_SHARE:
            use = ResourceUse.IDLE
            idle_since = ctx.as_of - timedelta(days=rng.randint(200, 1600))
        elif roll < LONG_IDLE_SHARE + RECENT_IDLE_SHARE:
            use = ResourceUse.IDLE
            idle_since = ctx.as_of - timedelta(days=rng.randint(10, 150))
        elif resource_class in NOT_LETTABLE:
            use = ResourceUse.SELF_OPERATED
        else:
            use = rng.choices([u for u, _ in USE_WEIGHTS], [w for _, w in USE_WEIGHTS])[0]
        income = Decimal(0)
        if use in (ResourceUse.OTHER_CONTRACTED, ResourceUse.LEASED, ResourceUse.SHAREHOLDING) and p_hi:
            income = (area * rng.randint(p_lo, p_hi)).quantize(Decimal("0.01"))
        elif use == ResourceUse.SELF_OPERATED and p_hi and rng.random() < 0.4:
            income = (area * rng.randint(p_lo, p_hi) * Decimal("0.6")).quantize(Decimal("0.01"))
        place = rng.choice(PLACES)
        status, reason = _review_status(rng)
        rows.append(
            Resource(
                org_id=org_id,
                region_code=code,
                resource_code=f"ZY{code[-6:]}{seq:03d}",
                name=f"{place}{ResourceClass(resource_class).label.split('（')[0].split('/')[0]}{seq}号",
                resource_class=resource_class,
                location=f"{place}片区{rng.randint(1, 12)}号地块",
                boundary_east=rng.choice(NEIGHBOURS),
                boundary_west=rng.choice(NEIGHBOURS),
                boundary_south=rng.choice(NEIGHBOURS),
                boundary_north=rng.choice(NEIGHBOURS),
                area=area,
                certificate_no=_certificate(rng, resource_class, rng.randint(2016, 2023)),
                use_mode=use,
                idle_since=idle_since,
                annual_income=income,
                geometry=_polygon(rng, code) if rng.random() < 0.3 else None,
                note="闲置，拟进入产权交易平台招租" if use == ResourceUse.IDLE and rng.random() < 0.5 else "",
                review_status=status,
                review_reason=reason,
                source_system=DEMO_SOURCE,
                source_id=f"resource:{code}:{seq}",
            )
        )
    return rows


def _assets(ctx: DemoContext, rng, org_id: int, code: str) -> list[FixedAsset]:
    count = max(4, round(rng.randint(6, 10) * ctx.volume))
    profiles = ASSET_PROFILES[:2] + rng.sample(ASSET_PROFILES[2:], min(count - 2, len(ASSET_PROFILES) - 2))
    rows = []
    for seq, (category, name, nature, movable, (v_lo, v_hi), modes, b_area) in enumerate(profiles[:count], 1):
        acquired = date(rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28))
        if acquired > ctx.as_of:
            acquired = ctx.as_of - timedelta(days=30)
        original = Decimal(rng.randrange(v_lo, v_hi, 100))
        life = 8 if movable else 30
        age = max((ctx.as_of - acquired).days / 365.25, 0)
        accumulated = (original * Decimal(min(age / life, 0.95))).quantize(Decimal("0.01"))
        if category in (AssetCategory.BIOLOGICAL,):
            accumulated = Decimal("0.00")
        mode = rng.choice(modes)
        income = Decimal(0)
        if mode in (OperationMode.LEASED, OperationMode.CONTRACTED, OperationMode.SHAREHOLDING):
            income = (original * Decimal(rng.uniform(0.04, 0.10))).quantize(Decimal("1"))
        building = Decimal(rng.randint(*b_area)) if b_area else None
        disposed = None
        if movable and age > 12 and rng.random() < 0.3:
            disposed = ctx.as_of - timedelta(days=rng.randint(30, 900))
            mode = OperationMode.IDLE
            income = Decimal(0)
        place = rng.choice(PLACES)
        status, reason = _review_status(rng)
        rows.append(
            FixedAsset(
                org_id=org_id,
                region_code=code,
                asset_code=f"ZC{code[-6:]}{seq:03d}",
                name=name,
                category=category,
                nature=nature,
                is_movable=movable,
                acquired_on=acquired,
                original_value=original,
                accumulated_depreciation=accumulated,
                net_value=original - accumulated,
                location="" if movable else f"{place}片区",
                keeper=rng.choice(KEEPERS),
                operation_mode=mode,
                annual_income=income,
                spec_model={AssetCategory.MACHINERY: "东方红LX904", AssetCategory.VEHICLE: "福田BJ5043"}.get(
                    category, ""
                ),
                building_area=building,
                land_area=(building * Decimal("1.3")).quantize(Decimal("0.01")) if building else None,
                boundary_east=rng.choice(NEIGHBOURS) if not movable else "",
                boundary_west=rng.choice(NEIGHBOURS) if not movable else "",
                boundary_south=rng.choice(NEIGHBOURS) if not movable else "",
                boundary_north=rng.choice(NEIGHBOURS) if not movable else "",
                disposed_on=disposed if disposed and disposed > acquired else None,
                review_status=status,
                review_reason=reason,
                source_system=DEMO_SOURCE,
                source_id=f"asset:{code}:{seq}",
            )
        )
    return rows


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("assets")
    resources: list[Resource] = []
    assets: list[FixedAsset] = []
    seen_towns: set[str] = set()
    for org_id, code in ctx.village_orgs:
        first_in_town = code[:9] not in seen_towns
        seen_towns.add(code[:9])
        resources.extend(_resources(ctx, rng, org_id, code, first_in_town))
        assets.extend(_assets(ctx, rng, org_id, code))
    Resource.objects.bulk_create(resources, batch_size=2000)
    FixedAsset.objects.bulk_create(assets, batch_size=2000)
    return {"resources": len(resources), "fixed_assets": len(assets)}
