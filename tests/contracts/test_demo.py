"""Facts the demo contracts must show: alerts A3 and A6 and the fulfilment statistic look for them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from backoffice.contracts.choices import ACTIVE_STATUSES
from backoffice.contracts.models import Contract, ContractReceipt, ContractReceivablePlan
from backoffice.contracts.services import contract_fulfilment, contracts_expiring
from backoffice.core.pii import SensitiveKind, pii_hash
from backoffice.core.validators import resident_id_problem
from backoffice.regions.validators import credit_code_problem
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")


def demo(town: str = ""):
    return Contract.objects.filter(source_system="demo", region_code__startswith=town)


@pytest.mark.parametrize("town", [TOWNSHIP_A, TOWNSHIP_B])
def test_demo_has_contracts_expiring_within_30_days_in_each_township(town):
    assert contracts_expiring(queryset=demo(town), as_of=date.today(), within_days=30).exists()


@pytest.mark.parametrize("town", [TOWNSHIP_A, TOWNSHIP_B])
def test_demo_has_overdue_instalments_and_expired_unpaid_contracts_in_each_township(town):
    today = date.today()
    results = [(c, contract_fulfilment(contract=c, as_of=today)) for c in demo(town)]
    assert any(r["overdue_instalments"] and c.term_end > today for c, r in results)
    assert any(r["outstanding"] > 0 and c.term_end < today for c, r in results)


def test_demo_receipts_never_exceed_the_plan_total_of_their_contract():
    planned = (
        ContractReceivablePlan.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(total=Sum("amount_due"))
        .values("total")
    )
    received = (
        ContractReceipt.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = demo().annotate(
        planned=Coalesce(Subquery(planned), ZERO), received=Coalesce(Subquery(received), ZERO)
    )
    assert rows.filter(received__gt=0).exists()
    for row in rows:
        assert row.received <= row.planned, row.contract_no


def test_demo_plans_sum_to_the_contract_total_unless_terminated_or_draft():
    for contract in demo().filter(status__in=[*ACTIVE_STATUSES, "expired", "settled", "renewed"]):
        if contract.contract_type in ("works", "purchase"):
            continue
        total = contract.plans.aggregate(total=Sum("amount_due"))["total"]
        assert total == contract.total_amount, contract.contract_no


def test_demo_party_b_ids_are_valid_and_hashed():
    rows = demo().exclude(party_b_id_hash="")
    assert rows.exists()
    for contract in rows:
        value = contract.party_b_id
        assert resident_id_problem(value) is None or credit_code_problem(value) is None, contract.contract_no
        assert contract.party_b_id_hash == pii_hash(value, SensitiveKind.ID_OR_CREDIT_CODE)


def test_demo_children_belong_to_their_contract_org():
    for model in (ContractReceivablePlan, ContractReceipt):
        rows = model.objects.filter(source_system="demo").select_related("contract")
        assert rows.exists()
        assert all(r.org_id == r.contract.org_id and r.region_code == r.contract.region_code for r in rows)
