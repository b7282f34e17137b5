"""Constraints and validation of contracts and their rows: subject, term order, the 20-year lease limit
(民法典 art. 705), party B's ID or credit code and phone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.assets.models import FixedAsset, Resource
from backoffice.contracts.choices import ChangeType, ContractType, PartyKind
from backoffice.contracts.models import ContractChange, ContractReceipt, ContractReceivablePlan
from backoffice.contracts.validators import id_or_credit_code_problem
from backoffice.core.pii import SensitiveKind, pii_hash

from .factories import CREDIT_CODE, RESIDENT_ID, contract, wrong_check_char

pytestmark = pytest.mark.django_db


def test_valid_contract_passes_validation_and_stores_party_b_encrypted(org):
    row = contract(org)
    row.full_clean()
    row.save()
    assert row.party_b_id_hash == pii_hash(RESIDENT_ID, SensitiveKind.ID_OR_CREDIT_CODE)
    assert row.party_b_phone_hash
    row.refresh_from_db()
    assert row.party_b_id == RESIDENT_ID


def test_contract_subject_is_at_most_one_resource_or_asset(org):
    resource = Resource.objects.filter(org=org).first()
    card = FixedAsset.objects.filter(org=org).first()
    both = contract(org, subject_resource=resource, subject_asset=card)
    with pytest.raises(ValidationError) as caught:
        both.full_clean()
    assert "只能是一项资源或一项资产" in str(caught.value.message_dict["subject_asset"])
    with pytest.raises(IntegrityError), transaction.atomic():
        contract(org, subject_resource=resource, subject_asset=card).save()
    contract(org, subject_resource=resource).full_clean()
    contract(org, subject_asset=card).full_clean()


def test_contract_subject_must_belong_to_the_same_org(org):
    foreign = Resource.objects.exclude(org=org).first()
    with pytest.raises(ValidationError) as caught:
        contract(org, subject_resource=foreign).full_clean()
    assert "不属于本集体经济组织" in str(caught.value.message_dict["subject_resource"])


@pytest.mark.parametrize("end", [date(2024, 1, 1), date(2023, 12, 31)])
def test_term_end_must_be_after_term_start(org, end):
    with pytest.raises(ValidationError) as caught:
        contract(org, term_end=end).full_clean()
    assert "终止日期应晚于起始日期" in str(caught.value.message_dict["term_end"])
    with pytest.raises(IntegrityError), transaction.atomic():
        contract(org, term_end=end).save()


def test_lease_of_exactly_twenty_years_is_allowed(org):
    contract(org, term_start=date(2024, 1, 1), term_end=date(2044, 1, 1)).full_clean()


def test_lease_of_twenty_years_and_one_day_is_refused_naming_the_years(org):
    with pytest.raises(ValidationError) as caught:
        contract(org, term_start=date(2024, 1, 1), term_end=date(2044, 1, 2)).full_clean()
    message = str(caught.value.message_dict["term_end"])
    assert "20年1天" in message and "民法典" in message and "2044-01-01" in message


@pytest.mark.parametrize(
    "kind", [ContractType.CONTRACTING_OUT, ContractType.SHAREHOLDING, ContractType.COOPERATION]
)
def test_non_lease_contracts_are_not_limited_to_twenty_years(org, kind):
    contract(org, contract_type=kind, term_start=date(2024, 1, 1), term_end=date(2054, 1, 1)).full_clean()


def test_party_b_id_accepts_a_valid_resident_id_and_a_valid_credit_code(org):
    assert id_or_credit_code_problem(RESIDENT_ID) is None
    assert id_or_credit_code_problem(CREDIT_CODE) is None
    contract(org, party_b_id=RESIDENT_ID).full_clean()
    contract(
        org,
        party_b_kind=PartyKind.ORGANISATION,
        party_b_name="清徐县晋丰农业专业合作社",
        party_b_id=CREDIT_CODE,
    ).full_clean()
    contract(org, party_b_id="").full_clean()


@pytest.mark.parametrize("value", [wrong_check_char(RESIDENT_ID), wrong_check_char(CREDIT_CODE), "12345"])
def test_party_b_id_with_a_bad_check_character_is_refused(org, value):
    assert id_or_credit_code_problem(value)
    kind = PartyKind.ORGANISATION if value[:2] == "91" else PartyKind.INDIVIDUAL
    with pytest.raises(ValidationError) as caught:
        contract(org, party_b_kind=kind, party_b_id=value).full_clean()
    assert "party_b_id" in caught.value.message_dict


def test_bad_resident_id_message_names_the_expected_check_character():
    bad = wrong_check_char(RESIDENT_ID)
    assert f"第18位应为“{RESIDENT_ID[-1]}”" in id_or_credit_code_problem(bad)


def test_party_b_kind_must_match_the_kind_of_number(org):
    with pytest.raises(ValidationError) as caught:
        contract(org, party_b_kind=PartyKind.INDIVIDUAL, party_b_id=CREDIT_CODE).full_clean()
    assert "身份证号" in str(caught.value.message_dict["party_b_id"])
    with pytest.raises(ValidationError) as caught:
        contract(org, party_b_kind=PartyKind.ORGANISATION, party_b_id=RESIDENT_ID).full_clean()
    assert "统一社会信用代码" in str(caught.value.message_dict["party_b_id"])


@pytest.mark.parametrize(("phone", "ok"), [("139-1234-5678", True), ("0351-5712345", True), ("12345", False)])
def test_party_b_phone_must_be_a_mobile_or_landline_number(org, phone, ok):
    row = contract(org, party_b_phone=phone)
    if ok:
        row.full_clean()
    else:
        with pytest.raises(ValidationError):
            row.full_clean()


def test_platform_trade_needs_a_trading_reference(org):
    with pytest.raises(ValidationError) as caught:
        contract(org, traded_on_platform=True).full_clean()
    assert "trading_ref" in caught.value.message_dict
    contract(org, traded_on_platform=True, trading_ref="JY140121-2024-00012").full_clean()


def test_term_start_before_2022_needs_the_history_flag(org):
    with pytest.raises(ValidationError) as caught:
        contract(org, term_start=date(2019, 1, 1)).full_clean()
    assert "2022年1月1日" in str(caught.value.message_dict["term_start"])
    contract(org, term_start=date(2019, 1, 1), is_history=True).full_clean()


def test_child_rows_copy_the_contract_org_and_refuse_non_positive_amounts(org):
    parent = contract(org)
    parent.save()
    plan = ContractReceivablePlan(contract=parent, due_date=date(2024, 1, 1), amount_due=Decimal("5000"))
    plan.full_clean()
    plan.save()
    assert (plan.org_id, plan.region_code) == (org.pk, org.region_code)
    with pytest.raises(ValidationError):
        ContractReceivablePlan(
            contract=parent, due_date=date(2025, 1, 1), amount_due=Decimal("0")
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractReceipt(
            contract=parent, org=org, received_on=date(2024, 1, 3), amount=Decimal("0"), receipt_no="T-SK-1"
        ).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractReceivablePlan(
            contract=parent, org=org, due_date=date(2024, 1, 1), amount_due=Decimal("1")
        ).save()


def test_extension_change_needs_the_new_end_date(org):
    parent = contract(org)
    parent.save()
    change = ContractChange(
        contract=parent, change_type=ChangeType.EXTEND, change_date=date(2026, 6, 1), reason="续期"
    )
    with pytest.raises(ValidationError):
        change.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        change.org = org
        change.save()
