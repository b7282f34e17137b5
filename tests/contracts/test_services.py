"""Contract services: creation with schedule, fulfilment (合同兑现), expiry windows, receipts, extension
and termination."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.contracts.choices import ChangeType, ContractStatus, ContractType, PaymentMode
from backoffice.contracts.models import Contract, ContractReceipt
from backoffice.contracts.services import (
    contract_create,
    contract_extend,
    contract_fulfilment,
    contract_receipt_record,
    contract_receivable_schedule,
    contract_terminate,
    contracts_expiring,
    contracts_refresh_status,
)

from .factories import PHONE, RESIDENT_ID

pytestmark = pytest.mark.django_db


def create(org, **overrides) -> Contract:
    values = {
        "org": org,
        "contract_no": "T-HT-S1",
        "contract_type": ContractType.LEASE,
        "party_b_name": "李志强",
        "party_b_kind": "individual",
        "party_b_id": RESIDENT_ID,
        "party_b_phone": PHONE,
        "quantity": Decimal("10"),
        "unit_price": Decimal("100"),
        "total_amount": Decimal("3000.00"),
        "payment_mode": PaymentMode.ANNUAL,
        "term_start": date(2024, 1, 1),
        "term_end": date(2027, 1, 1),
        "signed_on": date(2023, 12, 1),
        "status": ContractStatus.PERFORMING,
    }
    values.update(overrides)
    return contract_create(**values)


@pytest.mark.parametrize(
    ("mode", "rows"),
    [(PaymentMode.LUMP_SUM, 1), (PaymentMode.ANNUAL, 3), (PaymentMode.INSTALMENTS, 6)],
)
def test_created_contract_gets_a_plan_summing_to_its_total(org, mode, rows):
    contract = create(org, payment_mode=mode, total_amount=Decimal("10000.03"))
    plans = list(contract.plans.order_by("due_date"))
    assert len(plans) == rows
    assert sum(p.amount_due for p in plans) == Decimal("10000.03")
    assert {p.org_id for p in plans} == {org.pk} and {p.region_code for p in plans} == {org.region_code}


def test_schedule_is_not_regenerated_over_an_existing_plan_unless_replaced(org):
    contract = create(org)
    with pytest.raises(ValidationError):
        contract_receivable_schedule(contract=contract)
    contract.payment_mode = PaymentMode.INSTALMENTS
    contract.save()
    assert len(contract_receivable_schedule(contract=contract, replace=True)) == 6
    assert contract.plans.count() == 6


def test_expenditure_contracts_get_no_receivable_plan(org):
    contract = create(org, contract_type=ContractType.WORKS)
    assert not contract.plans.exists()
    with pytest.raises(ValidationError):
        contract_receivable_schedule(contract=contract)


def test_create_refuses_an_invalid_contract(org):
    with pytest.raises(ValidationError):
        create(org, term_end=date(2044, 1, 2))
    assert not Contract.objects.filter(contract_no="T-HT-S1").exists()


def test_fulfilment_counts_receivable_received_and_overdue_instalments(org):
    contract = create(org)  # 1,000 due on 1 Jan 2024, 2025 and 2026
    contract_receipt_record(
        contract=contract, received_on=date(2024, 1, 5), amount=Decimal("1000"), receipt_no="T1"
    )
    contract_receipt_record(
        contract=contract, received_on=date(2025, 3, 1), amount=Decimal("400"), receipt_no="T2"
    )
    result = contract_fulfilment(contract=contract, as_of=date(2026, 6, 1))
    assert result["plan_total"] == Decimal("3000.00")
    assert result["receivable"] == Decimal("3000.00")
    assert result["received"] == Decimal("1400.00")
    assert result["outstanding"] == Decimal("1600.00")
    assert result["overdue_amount"] == Decimal("1600.00")
    assert result["overdue_instalments"] == 2
    assert result["max_overdue_days"] == (date(2026, 6, 1) - date(2025, 1, 1)).days
    assert result["fulfilment_rate"] == Decimal("0.4667")


def test_instalment_due_today_is_receivable_but_not_yet_overdue(org):
    contract = create(org)
    contract_receipt_record(
        contract=contract, received_on=date(2024, 1, 5), amount=Decimal("1000"), receipt_no="T1"
    )
    result = contract_fulfilment(contract=contract, as_of=date(2025, 1, 1))
    assert (result["receivable"], result["received"], result["outstanding"]) == (2000, 1000, 1000)
    assert (result["overdue_instalments"], result["overdue_amount"]) == (0, 0)
    assert result["fulfilment_rate"] == Decimal("0.5000")
    later = contract_fulfilment(contract=contract, as_of=date(2025, 1, 2))
    assert (later["overdue_instalments"], later["overdue_amount"], later["max_overdue_days"]) == (1, 1000, 1)


def test_fulfilment_before_anything_is_due_has_no_rate(org):
    contract = create(org)
    result = contract_fulfilment(contract=contract, as_of=date(2023, 12, 31))
    assert (
        result["receivable"] == 0 and result["fulfilment_rate"] is None and result["overdue_instalments"] == 0
    )


def test_receipts_beyond_the_planned_total_are_refused(org):
    contract = create(org)
    contract_receipt_record(
        contract=contract, received_on=date(2024, 1, 5), amount=Decimal("2500"), receipt_no="T1"
    )
    with pytest.raises(ValidationError) as caught:
        contract_receipt_record(
            contract=contract, received_on=date(2025, 1, 5), amount=Decimal("600"), receipt_no="T2"
        )
    assert "超收100" in str(caught.value)
    assert ContractReceipt.objects.filter(contract=contract).count() == 1


def test_expiring_selector_windows_include_the_boundary_day_and_skip_ended_contracts(org):
    as_of = date(2026, 6, 1)
    ends = {"E7": 7, "E30": 30, "E31": 31, "E90": 90, "E91": 91, "E-1": -1, "E0": 0}
    for no, days in ends.items():
        create(
            org,
            contract_no=f"T-{no}",
            term_start=date(2024, 1, 1),
            term_end=as_of + timedelta(days=days),
            status=ContractStatus.EXPIRING,
        )
    terminated = create(org, contract_no="T-TERM", term_end=as_of + timedelta(days=5))
    contract_terminate(contract=terminated, change_date=date(2026, 3, 1), reason="双方协商终止")
    mine = Contract.objects.filter(contract_no__startswith="T-")

    def expiring(days):
        return {c.contract_no for c in contracts_expiring(queryset=mine, as_of=as_of, within_days=days)}

    assert expiring(7) == {"T-E0", "T-E7"}
    assert expiring(30) == {"T-E0", "T-E7", "T-E30"}
    assert expiring(60) == {"T-E0", "T-E7", "T-E30", "T-E31"}
    assert expiring(90) == {"T-E0", "T-E7", "T-E30", "T-E31", "T-E90"}


def test_extension_moves_the_end_plans_the_extra_amount_and_records_the_change(org):
    contract = create(org, status=ContractStatus.EXPIRING)
    change = contract_extend(
        contract=contract,
        new_term_end=date(2029, 1, 1),
        change_date=date(2026, 11, 1),
        reason="乙方申请续期",
        approval_ref="2026年10月成员代表会议决议",
        additional_amount=Decimal("2000"),
    )
    contract.refresh_from_db()
    assert (contract.term_end, contract.total_amount, contract.status) == (
        date(2029, 1, 1),
        Decimal("5000.00"),
        ContractStatus.PERFORMING,
    )
    assert (change.change_type, change.new_term_end, change.org_id) == (
        ChangeType.EXTEND,
        date(2029, 1, 1),
        org.pk,
    )
    assert sum(p.amount_due for p in contract.plans.all()) == Decimal("5000.00")
    assert contract.plans.filter(due_date=date(2028, 1, 1)).exists()


def test_extension_beyond_the_lease_limit_is_refused(org):
    contract = create(org)
    with pytest.raises(ValidationError) as caught:
        contract_extend(
            contract=contract, new_term_end=date(2045, 1, 1), change_date=date(2026, 11, 1), reason="续期"
        )
    assert "21年" in str(caught.value)
    contract.refresh_from_db()
    assert contract.term_end == date(2027, 1, 1) and not contract.changes.exists()


def test_termination_drops_later_instalments_and_records_the_change(org):
    contract = create(org)
    change = contract_terminate(
        contract=contract, change_date=date(2025, 6, 30), reason="乙方经营困难申请解除", rescind=True
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.RESCINDED
    assert [p.due_date for p in contract.plans.order_by("due_date")] == [date(2024, 1, 1), date(2025, 1, 1)]
    assert (change.change_type, change.new_term_end) == (ChangeType.TERMINATE, date(2025, 6, 30))
    with pytest.raises(ValidationError):
        contract_terminate(contract=contract, change_date=date(2025, 7, 1), reason="再次终止")


def test_status_refresh_follows_dates_and_payments(org):
    as_of = date(2026, 6, 1)
    running = create(org, contract_no="T-RUN", term_end=date(2028, 1, 1), total_amount=Decimal("4000"))
    soon = create(org, contract_no="T-SOON", term_end=as_of + timedelta(days=60))
    unpaid = create(org, contract_no="T-UNPAID", term_end=date(2026, 1, 1), total_amount=Decimal("2000"))
    paid = create(org, contract_no="T-PAID", term_end=date(2026, 1, 1), total_amount=Decimal("2000"))
    contract_receipt_record(
        contract=paid, received_on=date(2025, 12, 1), amount=Decimal("2000"), receipt_no="T9"
    )
    counts = contracts_refresh_status(
        queryset=Contract.objects.filter(contract_no__startswith="T-"), as_of=as_of
    )
    status = dict(Contract.objects.filter(contract_no__startswith="T-").values_list("contract_no", "status"))
    assert status == {
        "T-RUN": ContractStatus.PERFORMING,
        "T-SOON": ContractStatus.EXPIRING,
        "T-UNPAID": ContractStatus.EXPIRED,
        "T-PAID": ContractStatus.SETTLED,
    }
    assert counts == {ContractStatus.EXPIRING: 1, ContractStatus.EXPIRED: 1, ContractStatus.SETTLED: 1}
    assert running.pk and soon.pk and unpaid.pk
