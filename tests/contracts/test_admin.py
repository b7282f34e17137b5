"""Party B's ID number and phone never reach the contract pages in full for a scoped user; the contract
page shows its plan, receipts and changes inline."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from backoffice.contracts.models import ContractReceivablePlan
from backoffice.core.pii import SensitiveKind, mask

from .factories import PHONE, RESIDENT_ID, contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(org):
    row = contract(org, contract_no="T-HT-MASK")
    row.full_clean()
    row.save()
    ContractReceivablePlan.objects.create(contract=row, org=org, due_date=date(2024, 1, 1), amount_due=5000)
    return row


def test_changelist_shows_party_b_id_and_phone_masked(saved, client_for):
    response = client_for("township_reviewer").get(
        reverse("admin:contracts_contract_changelist"), {"q": "T-HT-MASK"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "T-HT-MASK" in html
    assert RESIDENT_ID not in html and PHONE not in html
    assert mask(RESIDENT_ID, SensitiveKind.ID_OR_CREDIT_CODE) in html
    assert mask(PHONE, SensitiveKind.PHONE) in html


def test_change_page_shows_party_b_id_and_phone_masked_with_inline_rows(saved, client_for):
    response = client_for("township_reviewer").get(
        reverse("admin:contracts_contract_change", args=[saved.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert RESIDENT_ID not in html and PHONE not in html
    assert mask(RESIDENT_ID, SensitiveKind.ID_OR_CREDIT_CODE) in html
    assert mask(PHONE, SensitiveKind.PHONE) in html
    assert all(f'name="{prefix}-TOTAL_FORMS"' in html for prefix in ("plans", "receipts", "changes"))


def test_searching_the_full_id_number_finds_the_contract_by_its_hash(saved, client_for):
    response = client_for("township_reviewer").get(
        reverse("admin:contracts_contract_changelist"), {"q": RESIDENT_ID}
    )
    assert saved.pk in {c.pk for c in response.context["cl"].result_list}


def test_inline_rows_added_on_the_contract_page_take_the_contract_org(saved, client_for, org):
    client = client_for("township_reviewer")
    url = reverse("admin:contracts_contract_change", args=[saved.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "org": org.pk,
            "term_start": "2024-01-01",
            "term_end": "2027-01-01",
            "signed_on": "2023-12-15",
            "subject_resource": "",
            "subject_asset": "",
            "scan": "",
            "plans-TOTAL_FORMS": "2",
            "plans-INITIAL_FORMS": "1",
            "plans-MIN_NUM_FORMS": "0",
            "plans-MAX_NUM_FORMS": "1000",
            "plans-0-id": ContractReceivablePlan.objects.get(contract=saved).pk,
            "plans-0-contract": saved.pk,
            "plans-0-due_date": "2024-01-01",
            "plans-0-amount_due": "5000.00",
            "plans-1-contract": saved.pk,
            "plans-1-due_date": "2025-01-01",
            "plans-1-amount_due": "5000.00",
            "receipts-TOTAL_FORMS": "0",
            "receipts-INITIAL_FORMS": "0",
            "receipts-MIN_NUM_FORMS": "0",
            "receipts-MAX_NUM_FORMS": "1000",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
            "changes-MIN_NUM_FORMS": "0",
            "changes-MAX_NUM_FORMS": "1000",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = ContractReceivablePlan.objects.get(contract=saved, due_date=date(2025, 1, 1))
    assert (added.org_id, added.region_code) == (org.pk, org.region_code)
    saved.refresh_from_db()
    assert saved.party_b_id == RESIDENT_ID  # blank masked input keeps the stored number
