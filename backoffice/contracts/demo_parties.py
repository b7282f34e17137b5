"""Who and what the demo contracts are about: party B (names, valid-by-construction resident IDs and
credit codes, phones) and the type, quantity and rent of a contract on a resource or asset."""

from __future__ import annotations

from decimal import Decimal

from backoffice.assets.choices import AssetCategory, OperationMode, ResourceClass, ResourceUse
from backoffice.assets.models import FixedAsset, Resource
from backoffice.core.validators import resident_id_check_char
from backoffice.regions.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

from .choices import ContractType, PartyKind, QuantityUnit

CENT = Decimal("0.01")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海军红梅秀英永刚丽娟俊杰晓东春生玉兰国庆文华金凤宝山新民彩霞福贵银锁二虎润生"
COMPANY_HEADS = [
    "晋丰",
    "汾河",
    "清源",
    "徐沟",
    "龙城",
    "绿野",
    "金穗",
    "沃土",
    "丰泽",
    "康农",
    "田园",
    "益民",
]
COMPANY_TAILS = (
    "农业专业合作社",
    "农业科技有限公司",
    "种植专业合作社",
    "养殖有限公司",
    "商贸有限公司",
    "农机服务专业合作社",
)
ID_COUNTIES = ("140121", "140121", "140121", "140105", "140106", "140109", "140181", "140122", "142301")


def person_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def resident_id(rng) -> str:
    first17 = (
        f"{rng.choice(ID_COUNTIES)}{rng.randint(1955, 1998)}{rng.randint(1, 12):02d}"
        f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return first17 + resident_id_check_char(first17)


def credit_code(rng, kind: str) -> str:
    body = "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    first17 = f"9{'3' if '合作社' in kind else '1'}{rng.choice(ID_COUNTIES)}{body}"
    return first17 + credit_code_check_char(first17)


def phone(rng) -> str:
    return rng.choice(("13", "15", "18", "17", "19")) + f"{rng.randint(0, 999_999_999):09d}"


def party_b(rng, subject_is_asset: bool) -> dict:
    roll = rng.random()
    if roll < (0.45 if subject_is_asset else 0.2):
        name = rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_TAILS)
        kind, id_no = PartyKind.ORGANISATION, credit_code(rng, name)
        name = f"清徐县{name}"
    else:
        kind = PartyKind.MEMBER_HOUSEHOLD if rng.random() < 0.45 else PartyKind.INDIVIDUAL
        name, id_no = person_name(rng), resident_id(rng)
    return {
        "party_b_name": name,
        "party_b_kind": kind,
        "party_b_id": id_no if rng.random() < 0.96 else "",
        "party_b_phone": phone(rng) if rng.random() < 0.9 else "",
    }


def subject_terms(rng, subject) -> dict:
    """Type, quantity, unit and yearly rent of a contract on ``subject`` (a Resource, FixedAsset or None)."""
    if isinstance(subject, Resource):
        ctype = {
            ResourceUse.LEASED: ContractType.LEASE,
            ResourceUse.SHAREHOLDING: ContractType.SHAREHOLDING,
        }.get(
            subject.use_mode,
            ContractType.CONTRACTING_OUT,
        )
        if subject.use_mode == ResourceUse.IDLE:
            ctype = (
                ContractType.LEASE
                if subject.resource_class == ResourceClass.BUSINESS_CONSTRUCTION
                else (ContractType.CONTRACTING_OUT)
            )
        quantity = subject.area
        if rng.random() < 0.03:  # contract area ≠ resource area (an alert looks for this)
            quantity = (subject.area * Decimal("0.85")).quantize(CENT)
        yearly = subject.annual_income or (subject.area * rng.randint(80, 600)).quantize(CENT)
        return {
            "contract_type": ctype,
            "quantity": quantity,
            "unit": QuantityUnit.MU,
            "yearly": yearly,
            "name": f"{subject.name}{ContractType(ctype).label}合同",
        }
    if isinstance(subject, FixedAsset):
        ctype = {
            OperationMode.LEASED: ContractType.LEASE,
            OperationMode.SHAREHOLDING: ContractType.SHAREHOLDING,
        }.get(
            subject.operation_mode,
            ContractType.CONTRACTING_OUT,
        )
        if subject.category == AssetCategory.HOUSE:
            quantity, unit = Decimal(rng.randint(2, 8)), QuantityUnit.ROOM
        elif subject.category == AssetCategory.MACHINERY:
            quantity, unit = Decimal(1), QuantityUnit.SET
        elif subject.category == AssetCategory.BIOLOGICAL:
            quantity, unit = Decimal(rng.randint(200, 2000)), QuantityUnit.TREE
        else:
            quantity, unit = (
                subject.building_area or Decimal(1),
                (QuantityUnit.SQUARE_METRE if subject.building_area else QuantityUnit.SET),
            )
        yearly = subject.annual_income or Decimal(rng.randint(5_000, 60_000))
        return {
            "contract_type": ctype,
            "quantity": quantity,
            "unit": unit,
            "yearly": yearly,
            "name": f"{subject.name}{ContractType(ctype).label}合同",
        }
    ctype = rng.choice((ContractType.LEASE, ContractType.CONTRACTING_OUT, ContractType.COOPERATION))
    quantity = Decimal(rng.randint(5, 120))
    return {
        "contract_type": ctype,
        "quantity": quantity,
        "unit": QuantityUnit.MU,
        "yearly": quantity * rng.randint(200, 700),
        "name": f"集体土地{ContractType(ctype).label}合同",
    }
