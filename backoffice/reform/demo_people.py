"""Deterministic demo villagers shared by the reform (members, households) and subsidies (rosters) demos,
so that subsidy beneficiaries are real household heads with the same valid GB 11643 ID numbers.

Generated once per ``seed_demo`` run for all village organisations in their stable order and cached on the
context; ID numbers are unique across the whole run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from backoffice.core.demo import DemoContext
from backoffice.core.validators import resident_id_check_char

HOUSEHOLDS_PER_VILLAGE = 40
CITY_HOUSEHOLDS_PER_VILLAGE = 15
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
MALE_GIVEN = "建国志强海军永刚俊杰晓东春生国庆文华宝山新民振华德明立新红旗卫东建军"
FEMALE_GIVEN = "秀英红梅丽娟玉兰金凤彩霞桂芳淑珍春燕晓梅丽华美玲翠萍秀兰"
BANKS = ("山西省农村信用社", "中国邮政储蓄银行", "中国农业银行")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    gender: str  # "male" / "female", agrees with the 17th ID digit
    id_no: str
    birth: date
    relation: str  # head / spouse / child / parent / grandchild


@dataclass
class DemoHousehold:
    household_no: str
    address: str
    members: list[DemoPerson] = field(default_factory=list)
    account: str = ""
    bank: str = ""
    land_mu: Decimal = Decimal("0")

    @property
    def head(self) -> DemoPerson:
        return self.members[0]


def demo_households(ctx: DemoContext) -> dict[str, list[DemoHousehold]]:
    """Households by village region code (cached on the context for the other demo modules)."""
    cached = getattr(ctx, "_demo_households", None)
    if cached is not None:
        return cached
    used: set[str] = set()
    # city (~2,200 villages): fewer households per village keep the preset within minutes and memory
    per_village = (
        CITY_HOUSEHOLDS_PER_VILLAGE
        if ctx.scale == "city"
        else max(4, round(HOUSEHOLDS_PER_VILLAGE * ctx.volume))
    )
    result: dict[str, list[DemoHousehold]] = {}
    for _, code in ctx.village_orgs:
        rng = random.Random(f"{ctx.seed}:people:{code}")
        result[code] = [_household(rng, code, n, ctx.as_of, used) for n in range(1, per_village + 1)]
    ctx._demo_households = result  # type: ignore[attr-defined]
    return result


def _household(rng: random.Random, code: str, n: int, as_of: date, used: set[str]) -> DemoHousehold:
    surname = rng.choice(SURNAMES)
    household = DemoHousehold(
        household_no=f"{code[-3:]}{n:04d}",
        address=f"第{rng.randint(1, 8)}村民小组{rng.randint(1, 120)}号",
        account="6217" + "".join(str(rng.randint(0, 9)) for _ in range(15)),
        bank=rng.choice(BANKS),
        land_mu=Decimal(rng.randint(200, 1500)) / 100,
    )
    head_male = rng.random() < 0.85
    head_birth = _birth(rng, as_of, 30, 78)
    household.members.append(_person(rng, code, surname, head_male, head_birth, "head", used))
    size = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
    if size >= 2:
        spouse_birth = head_birth + timedelta(days=rng.randint(-1500, 1500))
        household.members.append(
            _person(rng, code, rng.choice(SURNAMES), not head_male, spouse_birth, "spouse", used)
        )
    for _ in range(max(0, size - 2)):
        child_birth = head_birth + timedelta(days=rng.randint(20 * 365, 34 * 365))
        if child_birth >= as_of:
            child_birth = as_of - timedelta(days=rng.randint(30, 3000))
        household.members.append(_person(rng, code, surname, rng.random() < 0.5, child_birth, "child", used))
    return household


def _birth(rng: random.Random, as_of: date, min_age: int, max_age: int) -> date:
    return as_of - timedelta(days=rng.randint(min_age * 365, max_age * 365))


def _person(
    rng, code: str, surname: str, male: bool, birth: date, relation: str, used: set[str]
) -> DemoPerson:
    given = MALE_GIVEN if male else FEMALE_GIVEN
    name = surname + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
    while True:
        seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{code[:6]}{birth:%Y%m%d}{seq:03d}"
        id_no = first17 + resident_id_check_char(first17)
        if id_no not in used:
            used.add(id_no)
            return DemoPerson(
                name=name, gender="male" if male else "female", id_no=id_no, birth=birth, relation=relation
            )
        birth += timedelta(days=1)
