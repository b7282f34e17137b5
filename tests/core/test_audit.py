"""Audit trail: create, update and delete are recorded with user, time, request id, address and
before/after values; personal data is masked; per-record history and the audit list are scoped and
read-only."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from backoffice.regions.models import CollectiveOrg
from backoffice.regions.validators import credit_code_check_char
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
NEW_ID = "11010519491231002X"


def _form(org: CollectiveOrg, **changes) -> dict:
    data = {
        "name": org.name,
        "credit_code": org.credit_code or "",
        "org_level": org.org_level,
        "region": org.region_id,
        "legal_rep_name": org.legal_rep_name,
        "legal_rep_id_no": "",
        "status": org.status,
        "parent_org": org.parent_org_id or "",
    }
    return data | changes


def _village(prefix=TOWNSHIP_A) -> CollectiveOrg:
    return CollectiveOrg.objects.filter(region_code__startswith=prefix, org_level="N2").first()


def test_create_update_delete_are_recorded_with_request_id_and_values(client_for, users):
    client = client_for("county_admin")
    village = _village()
    first17 = f"N2{village.region_id[:6]}AUD1T0001"
    create = client.post(
        reverse("admin:regions_collectiveorg_add"),
        _form(village, name="审计测试社", credit_code=first17 + credit_code_check_char(first17)),
        HTTP_X_REQUEST_ID="req-create-0001",
    )
    assert create.status_code == 302
    assert create["X-Request-ID"] == "req-create-0001"
    org = CollectiveOrg.objects.get(name="审计测试社")
    created = LogEntry.objects.get_for_object(org).get(action=LogEntry.Action.CREATE)
    assert (created.actor, created.cid) == (users["county_admin"], "req-create-0001")
    assert created.remote_addr == "127.0.0.1"
    assert created.additional_data["region_code"] == village.region_id

    client.post(
        reverse("admin:regions_collectiveorg_change", args=[org.pk]), _form(org, legal_rep_name="李四")
    )
    update = LogEntry.objects.get_for_object(org).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["legal_rep_name"] == [org.legal_rep_name, "李四"]
    assert update.cid  # generated when the caller sends none

    client.post(reverse("admin:regions_collectiveorg_delete", args=[org.pk]), {"post": "yes"})
    assert LogEntry.objects.filter(object_pk=str(org.pk), action=LogEntry.Action.DELETE).exists()


def test_personal_data_is_masked_in_the_audit_log(client_for):
    org = _village()
    client_for("county_admin").post(
        reverse("admin:regions_collectiveorg_change", args=[org.pk]), _form(org, legal_rep_id_no=NEW_ID)
    )
    entry = LogEntry.objects.get_for_object(org).latest("timestamp")
    assert NEW_ID not in str(entry.changes) and "legal_rep_id_no_hash" not in entry.changes_dict
    assert entry.changes_dict["legal_rep_id_no"][1] == "110105********002X"


def test_history_page_lists_entries_and_is_scoped(client_for):
    org = _village()
    client = client_for("township_reviewer")
    client.post(
        reverse("admin:regions_collectiveorg_change", args=[org.pk]), _form(org, legal_rep_name="王五")
    )
    page = client.get(reverse("admin:regions_collectiveorg_history", args=[org.pk]))
    assert page.status_code == 200 and "王五" in page.content.decode()
    neighbour = _village(TOWNSHIP_B)
    assert client.get(reverse("admin:regions_collectiveorg_history", args=[neighbour.pk])).status_code == 404


def test_audit_list_is_scoped_and_append_only(client_for):
    for prefix in (TOWNSHIP_A, TOWNSHIP_B):
        org = _village(prefix)
        client_for("admin").post(
            reverse("admin:regions_collectiveorg_change", args=[org.pk]), _form(org, legal_rep_name="赵六")
        )
    listed = client_for("county_admin").get(reverse("admin:auditlog_logentry_changelist"))
    assert listed.status_code == 200
    assert {e.additional_data["region_code"][:6] for e in listed.context["cl"].queryset} == {"140121"}
    assert (
        client_for("township_reviewer").get(reverse("admin:auditlog_logentry_changelist")).status_code == 403
    )
    entry = LogEntry.objects.first()
    admin_client = client_for("admin")
    assert (
        admin_client.post(
            reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()
