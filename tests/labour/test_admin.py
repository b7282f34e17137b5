"""Personal data of workers is masked in the changelist a scoped user sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.core.pii import mask
from backoffice.labour.models import Worker
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_worker_id_and_bank_card_are_masked_in_the_changelist_of_a_township_user(client_for):
    response = client_for("township_reviewer").get(reverse("admin:labour_worker_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = [w for w in Worker.objects.filter(region_code__startswith=TOWNSHIP_A) if w.bank_card]
    assert shown
    for worker in shown:
        assert worker.id_no not in html
        assert worker.bank_card not in html
        assert mask(worker.id_no, "id") in html
        assert mask(worker.bank_card, "bank") in html


def test_worker_found_by_full_id_number_through_the_hash(client_for):
    worker = Worker.objects.filter(region_code__startswith=TOWNSHIP_A).first()
    response = client_for("township_reviewer").get(
        reverse("admin:labour_worker_changelist"), {"q": worker.id_no}
    )
    assert list(response.context["cl"].queryset) == [worker]
