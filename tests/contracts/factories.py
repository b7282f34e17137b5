"""Valid identity numbers built with their check characters, and unsaved contracts with valid defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backoffice.contracts.choices import ContractStatus, ContractType, PartyKind, PaymentMode
from backoffice.contracts.models import Contract
from backoffice.core.validators import resident_id_check_char
from backoffice.regions.validators import credit_code_check_char

RESIDENT_ID = "14012119800101001" + resident_id_check_char("14012119800101001")
CREDIT_CODE = "91140121MA0K12345" + credit_code_check_char("91140121MA0K12345")
PHONE = "13912345678"


def wrong_check_char(value: str) -> str:
    """``value`` with its last (check) character replaced by another valid-looking one."""
    return value[:-1] + ("1" if value[-1] != "1" else "2")


def contract(org, **overrides) -> Contract:
    values = {
        "org": org,
        "contract_no": "T-HT-001",
        "contract_type": ContractType.LEASE,
        "party_b_name": "王建国",
        "party_b_kind": PartyKind.INDIVIDUAL,
        "party_b_id": RESIDENT_ID,
        "party_b_phone": PHONE,
        "quantity": Decimal("10.00"),
        "unit_price": Decimal("500.00"),
        "total_amount": Decimal("15000.00"),
        "payment_mode": PaymentMode.ANNUAL,
        "term_start": date(2024, 1, 1),
        "term_end": date(2027, 1, 1),
        "signed_on": date(2023, 12, 15),
        "status": ContractStatus.PERFORMING,
    }
    values.update(overrides)
    return Contract(**values)
