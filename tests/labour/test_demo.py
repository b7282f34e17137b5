"""The tiny demo of 集体用工 is internally consistent and holds the cases the labour alerts look for."""

from __future__ import annotations

import pytest
from django.db.models import Count

from backoffice.core.demo import DEMO_SOURCE
from backoffice.labour.models import LabourEngagement, LabourPayment, Timesheet, Worker
from backoffice.labour.services import labour_payment_compute

pytestmark = pytest.mark.django_db


def test_demo_payments_equal_the_computed_payable():
    payments = LabourPayment.objects.filter(source_system=DEMO_SOURCE).select_related("worker", "engagement")
    assert payments.exists()
    for payment in payments[:200]:
        expected = labour_payment_compute(
            worker=payment.worker, engagement=payment.engagement, period=payment.period
        )
        assert payment.payable == expected, (payment.worker_id, payment.period)


def test_demo_has_a_worker_paid_on_two_engagements_in_the_same_month():
    overlaps = (
        LabourPayment.objects.filter(source_system=DEMO_SOURCE)
        .values("worker", "period")
        .annotate(n=Count("engagement", distinct=True))
        .filter(n__gt=1)
    )
    assert overlaps.exists()


def test_demo_rows_pass_full_validation_and_have_identity_hashes():
    for model in (LabourEngagement, Worker, LabourPayment):
        for row in model.objects.filter(source_system=DEMO_SOURCE).select_related("org"):
            row.full_clean()
            assert row.region_code == row.org.region_code
    assert not Worker.objects.filter(id_no_hash="").exists()
    for sheet in Timesheet.objects.filter(source_system=DEMO_SOURCE).select_related("engagement")[:300]:
        sheet.full_clean()
