"""The disclosure form offers categories and channels as checkboxes and stores them as code lists."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.disclosure.demo import PLACEHOLDER_PNG
from backoffice.disclosure.models import Disclosure

pytestmark = pytest.mark.django_db


def _form(org, **overrides) -> dict:
    data = {
        "org": org.pk,
        "period_type": "monthly",
        "period": "202411",
        "categories": ["income", "expenditure"],
        "items": "{}",
        "reviewed_by_finance_group_on": "2024-12-05",
        "finance_group_members": "王建国、李秀英",
        "channels": ["notice_board", "leaflet"],
        "published_on": "2024-12-08",
    }
    data.update(overrides)
    return data


def test_bookkeeper_records_a_disclosure_with_checkboxes_and_a_photo(client_for, users):
    user = users["village_bookkeeper"]
    org = users["village_bookkeeper"].scope_region.orgs.get()
    client = client_for("village_bookkeeper")
    page = client.get(reverse("admin:disclosure_disclosure_add")).content.decode()
    assert 'type="checkbox" name="categories" value="financial_plan"' in page
    data = _form(
        org, evidence_photo=SimpleUploadedFile("board.png", PLACEHOLDER_PNG, content_type="image/png")
    )
    response = client.post(reverse("admin:disclosure_disclosure_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Disclosure.objects.get(org=org, period="202411")
    assert saved.categories == ["income", "expenditure"] and saved.channels == ["notice_board", "leaflet"]
    assert saved.evidence_photo.name.startswith("disclosure/") and saved.created_by == user


def test_a_disguised_upload_is_refused_in_the_form(client_for, users):
    org = users["village_bookkeeper"].scope_region.orgs.get()
    data = _form(org, period="202410", evidence_photo=SimpleUploadedFile("board.png", b"MZ not a picture"))
    response = client_for("village_bookkeeper").post(reverse("admin:disclosure_disclosure_add"), data)
    assert response.status_code == 200
    assert "evidence_photo" in response.context["adminform"].form.errors
    assert not Disclosure.objects.filter(org=org, period="202410").exists()
