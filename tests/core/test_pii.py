"""Personal data: encrypted at rest, keyed-hash lookup, masked by default, reveal needs a permission and
is logged with user, time and reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from backoffice.core.pii import RevealLog, SensitiveKind, mask, pii_hash
from backoffice.regions.models import CollectiveOrg
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def _org(prefix=TOWNSHIP_A) -> CollectiveOrg:
    return CollectiveOrg.objects.filter(region_code__startswith=prefix).exclude(legal_rep_id_no="").first()


def test_id_number_is_stored_encrypted_and_found_by_keyed_hash():
    org = _org()
    with connection.cursor() as cursor:
        cursor.execute("SELECT legal_rep_id_no FROM regions_collectiveorg WHERE id = %s", [org.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1:") and org.legal_rep_id_no not in raw
    found = CollectiveOrg.objects.get(legal_rep_id_no_hash=pii_hash(org.legal_rep_id_no.lower(), "id"))
    assert found.pk == org.pk


def test_masks_follow_the_privacy_rules():
    assert mask("14012119800101123X", SensitiveKind.RESIDENT_ID) == "140121********123X"
    assert mask("6217 0000 1234 5678 901", SensitiveKind.BANK_ACCOUNT) == "621700*********8901"
    assert mask("13912345678", SensitiveKind.PHONE) == "139****5678"


def test_changelist_and_change_page_show_only_the_masked_value(client_for, users):
    org = CollectiveOrg.objects.visible_to(users["village_bookkeeper"]).first()
    client = client_for("village_bookkeeper")
    for url in (
        reverse("admin:regions_collectiveorg_changelist"),
        reverse("admin:regions_collectiveorg_change", args=[org.pk]),
    ):
        body = client.get(url).content.decode()
        assert org.legal_rep_id_no not in body
        assert mask(org.legal_rep_id_no, "id") in body


def test_saving_with_the_masked_input_left_blank_keeps_the_value(client_for):
    org = _org()
    original = org.legal_rep_id_no
    data = {
        "name": org.name,
        "credit_code": org.credit_code or "",
        "org_level": org.org_level,
        "region": org.region_id,
        "legal_rep_name": "新代表",
        "legal_rep_id_no": "",
        "status": org.status,
        "parent_org": org.parent_org_id or "",
    }
    response = client_for("township_reviewer").post(
        reverse("admin:regions_collectiveorg_change", args=[org.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    org.refresh_from_db()
    assert org.legal_rep_name == "新代表" and org.legal_rep_id_no == original


def test_reveal_needs_the_permission(client_for, users):
    org = CollectiveOrg.objects.visible_to(users["village_bookkeeper"]).first()
    url = reverse("admin:regions_collectiveorg_reveal", args=[org.pk, "legal_rep_id_no"])
    response = client_for("village_bookkeeper").post(url, {"reason": "核对"})
    assert response.status_code == 403
    assert not RevealLog.objects.exists()


def test_reveal_outside_scope_is_404(client_for):
    org = _org(TOWNSHIP_B)
    url = reverse("admin:regions_collectiveorg_reveal", args=[org.pk, "legal_rep_id_no"])
    assert client_for("township_reviewer").post(url, {"reason": "核对"}).status_code == 404


def test_reveal_asks_a_reason_then_shows_and_logs(client_for, users):
    org = _org()
    url = reverse("admin:regions_collectiveorg_reveal", args=[org.pk, "legal_rep_id_no"])
    client = client_for("township_reviewer")
    first = client.get(url).content.decode()
    assert org.legal_rep_id_no not in first
    assert client.post(url, {"reason": ""}).content.decode().count(org.legal_rep_id_no) == 0
    shown = client.post(url, {"reason": "核对法定代表人身份"}).content.decode()
    assert org.legal_rep_id_no in shown
    entry = RevealLog.objects.get()
    assert (entry.user, entry.object_pk, entry.field_name, entry.reason) == (
        users["township_reviewer"],
        str(org.pk),
        "legal_rep_id_no",
        "核对法定代表人身份",
    )


def test_search_by_full_id_number_finds_the_row(client_for):
    org = _org()
    response = client_for("township_reviewer").get(
        reverse("admin:regions_collectiveorg_changelist"), {"q": org.legal_rep_id_no}
    )
    assert list(response.context["cl"].queryset.values_list("pk", flat=True)) == [org.pk]
