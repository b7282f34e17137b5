"""交易鉴证书: the PDF carries the number and Chinese text, every print is logged with a rising copy
number, and the public verification page accepts the number with its code only."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from backoffice.core.pii import SensitiveKind, mask
from backoffice.trading.certificate import (
    CertificateFacts,
    certificate_facts,
    certificate_print,
    render_certificate_pdf,
    verification_code_matches,
)
from backoffice.trading.choices import ListingState as S
from backoffice.trading.models import CertificatePrint
from tests.trading import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(org_a, users):
    listing = f.drive(org_a, users, S.ATTESTED)
    return listing.certificates.get()


def test_pdf_is_a_pdf_with_the_number_and_a_cjk_font():
    facts = CertificateFacts(
        certificate_no="JZ140121202600007",
        project_no="140121-2026-0007",
        property_type="集体资源性资产发包/出租",
        title="村东机动地50亩出租",
        deal_price=Decimal("123456.00"),
        term_start=date(2027, 1, 1),
        term_end=date(2032, 1, 1),
        verification_code="ABCD2345",
        verify_url="https://example.org/trading/verify/?no=JZ140121202600007",
    )
    pdf = render_certificate_pdf(facts, copy_no=3)
    assert pdf.startswith(b"%PDF")
    assert b"JZ140121202600007" in pdf
    assert b"STSong-Light" in pdf


def test_facts_mask_an_individual_winner_and_show_the_deal(certificate):
    facts = certificate_facts(certificate)
    winner = certificate.deal.registration
    assert facts.transferee_name == winner.name
    assert facts.transferee_id == mask(winner.id_no, SensitiveKind.ID_OR_CREDIT_CODE)
    assert winner.id_no not in facts.transferee_id
    assert facts.deal_price == certificate.deal.price
    assert facts.verification_code == certificate.verification_code


def test_every_print_is_logged_with_the_next_copy_number(certificate, users):
    officer = users["trading_officer"]
    first, entry1 = certificate_print(certificate=certificate, user=officer, reason="交付受让方")
    second, entry2 = certificate_print(certificate=certificate, user=officer, reason="出让方存档")
    assert first.startswith(b"%PDF") and certificate.number.encode() in second
    assert (entry1.copy_no, entry2.copy_no) == (1, 2)
    rows = list(
        CertificatePrint.objects.filter(certificate=certificate).values_list(
            "copy_no", "printed_by", "reason"
        )
    )
    assert rows == [(1, officer.pk, "交付受让方"), (2, officer.pk, "出让方存档")]


def test_admin_print_button_returns_the_pdf_and_logs_it(certificate, client_for):
    url = reverse("admin:trading_certificate_print_certificate", args=[certificate.pk])
    client = client_for("trading_officer")
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "交付受让方"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert certificate.prints.count() == 1
    assert certificate.prints.get().printed_by.username == "trading_officer"


def test_village_bookkeeper_cannot_print(certificate, client_for):
    url = reverse("admin:trading_certificate_print_certificate", args=[certificate.pk])
    response = client_for("village_bookkeeper").post(url, {"reason": "x"})
    assert response.status_code == 403
    assert certificate.prints.count() == 0


def test_code_comparison_ignores_case_spaces_and_dashes():
    assert verification_code_matches("ABCD2345", "abcd-2345")
    assert verification_code_matches("ABCD2345", " abcd 2345 ")
    assert not verification_code_matches("ABCD2345", "ABCD2346")
    assert not verification_code_matches("ABCD2345", "")


def _verify(no: str, code: str):
    return Client().get(reverse("trading_public:verify"), {"no": no, "code": code})


def test_verification_page_confirms_a_genuine_certificate_without_login(certificate):
    code = certificate.verification_code
    response = _verify(certificate.number, f"{code[:4].lower()}-{code[4:].lower()}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过" in html and certificate.number in html and certificate.listing.listing_no in html
    winner = certificate.deal.registration
    assert winner.id_no not in html and winner.phone not in html
    assert winner.name not in html  # an individual's name is published masked
    assert winner.name[0] + "*" in html


def test_verification_page_refuses_a_wrong_code_or_unknown_number(certificate):
    wrong = "".join("A" if ch != "A" else "B" for ch in certificate.verification_code)
    for no, code in ((certificate.number, wrong), ("JZ000000000000000", certificate.verification_code)):
        html = _verify(no, code).content.decode()
        assert "验证未通过" in html and "验证通过：" not in html
        assert certificate.listing.title not in html


def test_verification_page_asks_for_both_fields():
    response = _verify("JZ1", "")
    assert response.status_code == 200
    assert "请填写鉴证书编号和验证码" in response.content.decode()
    assert re.search(r'name="no"', Client().get(reverse("trading_public:verify")).content.decode())


def test_listing_print_button_leads_to_the_certificate_print_form(certificate, client_for):
    listing = certificate.listing
    client = client_for("trading_officer")
    change = client.get(reverse("admin:trading_listing_change", args=[listing.pk])).content.decode()
    button = reverse("admin:trading_listing_step_print", args=[listing.pk])
    assert button in change
    response = client.get(button)
    assert response.status_code == 302
    assert response.url == reverse("admin:trading_certificate_print_certificate", args=[certificate.pk])
