"""Demo regions and collective organisations.

- tiny: 清徐县 (140121), its first 2 real townships with 3 real villages each;
- county: all of 清徐县 as published (9 townships, 156 villages and communities);
- city: 太原市's 10 county-level units: 清徐县 as above plus 9 counties with 15 synthetic townships ×
  15 synthetic villages each, coded by the segment rules of DOMAIN.md §1.1.
Every village gets a village-level organisation (N2, valid GB 32100 credit code; about one in twenty a
village committee acting for it, without a code) and every township a township-level one (N3).
"""

from __future__ import annotations

from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.core.scope import level_of_code
from backoffice.core.validators import resident_id_check_char

from .choices import OrgLevel
from .loading import DATA_DIR, REFERENCE_FILE, load_region_file, load_region_rows, read_rows
from .models import CollectiveOrg, Region
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DEMO_ORDER = 10
DEMO_COUNTY = "140121000000"
DEMO_CITY = "140100000000"
TOWN_HEADS = "东西南北前后上下大小新老古马王李张杨石柳桃杏枣河川山沟坡峪庄堡寨泉"
TOWN_TAILS = "营庄堡峪岭坪沟河滩湾原头口屯店泉"


def seed(ctx: DemoContext) -> dict[str, int]:
    load_region_file(Region, REFERENCE_FILE, edition_year=2023)
    real_rows = read_rows(DATA_DIR / "demo_county_140121.csv")
    if ctx.scale == "tiny":
        townships = [r for r in real_rows if r[1]["level"] == "4"][:2]
        keep = {t[1]["code"][:9] for t in townships}
        villages_by_town: dict[str, int] = {}
        rows = list(townships)
        for line, row in real_rows:
            town = row["code"][:9]
            if row["level"] == "5" and town in keep and villages_by_town.get(town, 0) < 3:
                villages_by_town[town] = villages_by_town.get(town, 0) + 1
                rows.append((line, row))
        real_rows = rows
    load_region_rows(Region, real_rows, file_label="demo_county_140121.csv", edition_year=2020)
    if ctx.scale == "city":
        rng = ctx.rng_for("regions")
        synthetic = []
        counties = Region.objects.filter(parent_id=DEMO_CITY).exclude(code=DEMO_COUNTY).order_by("code")
        for county in counties:
            synthetic.extend(_synthetic_county(county.code, rng))
        load_region_rows(Region, synthetic, file_label="synthetic", edition_year=None)
    return _create_orgs(ctx)


def _synthetic_county(county_code: str, rng) -> list[tuple[int, dict[str, str]]]:
    rows, used = [], set()
    for t in range(15):
        seq = 100 + t if t < 8 else 200 + t - 8  # towns (镇) 1xx first, then townships (乡) 2xx
        town_code = f"{county_code[:6]}{seq:03d}000"
        name = _unique_name(rng, used, "镇" if seq < 200 else "乡")
        rows.append((0, {"code": town_code, "name": name, "level": "4", "parent_code": ""}))
        for v in range(15):
            village = _unique_name(rng, used, "村")
            rows.append(
                (
                    0,
                    {
                        "code": f"{town_code[:9]}{200 + v:03d}",
                        "name": village,
                        "level": "5",
                        "parent_code": town_code,
                    },
                )
            )
    return rows


def _unique_name(rng, used: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(TOWN_HEADS) + rng.choice(TOWN_TAILS) + suffix
        if name not in used:
            used.add(name)
            return name


def credit_code_for(region_code: str, level: str, rng) -> str:
    """A valid-by-construction credit code: N + category + county code + 9-char id + check char."""
    body = "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(3)) + region_code[6:12]
    first17 = f"N{level[1]}{region_code[:6]}{body}"
    return first17 + credit_code_check_char(first17)


def _create_orgs(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("orgs")
    scope = DEMO_CITY[:4] if ctx.scale == "city" else DEMO_COUNTY[:6]
    regions = list(Region.objects.filter(code__startswith=scope, level__in=(4, 5)).order_by("code"))
    township_orgs: dict[str, CollectiveOrg] = {}
    for region in regions:
        if region.level == 4:
            township_orgs[region.code] = CollectiveOrg(
                name=f"{region.name}股份经济合作联合社",
                credit_code=credit_code_for(region.code, "N3", rng),
                org_level=OrgLevel.TOWNSHIP,
                region=region,
                region_code=region.code,
                legal_rep_name=_person(rng),
                legal_rep_id_no=resident_id_for(region.code, rng),
                source_system=DEMO_SOURCE,
                source_id=region.code,
            )
    CollectiveOrg.objects.bulk_create(township_orgs.values(), batch_size=2000)
    villages = []
    for region in regions:
        if region.level != 5:
            continue
        parent = township_orgs.get(region.parent_id)
        acting = rng.random() < 0.05
        villages.append(
            CollectiveOrg(
                name=f"{region.name}{'村民委员会（代行）' if acting else '股份经济合作社'}",
                credit_code=None if acting else credit_code_for(region.code, "N2", rng),
                org_level=OrgLevel.ACTING if acting else OrgLevel.VILLAGE,
                region=region,
                region_code=region.code,
                parent_org=parent,
                legal_rep_name=_person(rng),
                legal_rep_id_no=resident_id_for(region.code, rng),
                source_system=DEMO_SOURCE,
                source_id=region.code,
            )
        )
    CollectiveOrg.objects.bulk_create(villages, batch_size=2000)
    orgs = CollectiveOrg.objects.filter(source_system=DEMO_SOURCE).order_by("region_code")
    ctx.township_orgs = [(o.pk, o.region_code) for o in orgs if level_of_code(o.region_code) == 4]
    ctx.village_orgs = [(o.pk, o.region_code) for o in orgs if level_of_code(o.region_code) == 5]
    return {"regions": Region.objects.count(), "collective_orgs": len(township_orgs) + len(villages)}


def resident_id_for(region_code: str, rng) -> str:
    """A valid-by-construction 18-digit resident ID born in the region's county, 1950–2000."""
    born = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{region_code[:6]}{born}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_char(first17)


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海军红梅秀英永刚丽娟俊杰晓东春生玉兰国庆文华金凤宝山新民彩霞"


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
