"""Snapshot review in the admin (报表快照): the scoped list, the frozen table on the detail page, and
review → lock, return with comment and regenerate through the snapshot services."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from reports.models import ReportSnapshot, SnapshotStatus
from reports.snapshots import generate_snapshot
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B
from tests.reports.html_table import parse_table

pytestmark = pytest.mark.django_db

YEAR = str(date.today().year)


@pytest.fixture
def snap_a(db):
    return generate_snapshot("R3", region_code=TOWNSHIP_A + "000", period=YEAR)


@pytest.fixture
def snap_b(db):
    return generate_snapshot("R3", region_code=TOWNSHIP_B + "000", period=YEAR)


def change_url(snapshot) -> str:
    return reverse("admin:reports_reportsnapshot_change", args=[snapshot.pk])


def test_snapshot_list_is_scoped(client_for, snap_a, snap_b):
    township = client_for("township_reviewer").get(reverse("admin:reports_reportsnapshot_changelist"))
    assert township.status_code == 200
    assert [s.pk for s in township.context["cl"].result_list] == [snap_a.pk]
    county = client_for("county_admin").get(reverse("admin:reports_reportsnapshot_changelist"))
    assert {s.pk for s in county.context["cl"].result_list} == {snap_a.pk, snap_b.pk}


def test_snapshot_outside_scope_is_404(client_for, snap_b):
    assert client_for("township_reviewer").get(change_url(snap_b)).status_code == 404


def test_detail_shows_the_frozen_table(client_for, snap_a):
    response = client_for("township_reviewer").get(change_url(snap_a))
    assert response.status_code == 200
    table = parse_table(response.content.decode())
    frozen = {row["label"]: row["display"] for row in snap_a.table["rows"]}
    assert [row[1] for row in table.rows] == list(frozen)
    amount_label = next(c["label"] for c in snap_a.table["columns"] if c["code"] == "ct_amount")
    column = next(i for i, h in enumerate(table.headers) if h.startswith(amount_label))
    assert table.rows[-1][column] == frozen["合计"]["ct_amount"]
    assert all(link is None for links in table.links for link in links)  # frozen: no live drill links


def test_review_chain_then_lock_by_province(client_for, snap_a):
    url = change_url(snap_a)
    for username, status in (
        ("township_reviewer", SnapshotStatus.TOWNSHIP_REVIEWED),
        ("county_admin", SnapshotStatus.COUNTY_REVIEWED),
        ("city_analyst", SnapshotStatus.CITY_REVIEWED),
    ):
        response = client_for(username).post(url, {"do": "review"}, follow=True)
        assert response.status_code == 200
        snap_a.refresh_from_db()
        assert snap_a.status == status, username
    client_for("province_policy").post(url, {"do": "lock"})
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.LOCKED
    page = client_for("county_admin").get(url).content.decode()
    assert "已锁定" in page and 'id="review-form"' not in page


def test_wrong_level_review_shows_the_services_chinese_refusal(client_for, snap_a):
    response = client_for("county_admin").post(change_url(snap_a), {"do": "review"}, follow=True)
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.GENERATED
    assert "乡镇" in response.content.decode()  # "当前待乡镇审核，您的账号不是乡镇用户"


def test_return_needs_a_comment_and_keeps_it(client_for, snap_a):
    client = client_for("county_admin")
    response = client.post(change_url(snap_a), {"do": "return", "comment": ""}, follow=True)
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.GENERATED
    assert "退回必须填写退回意见" in response.content.decode()
    client.post(change_url(snap_a), {"do": "return", "comment": "贯中社区合同收款未录入"})
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.RETURNED
    page = client.get(change_url(snap_a)).content.decode()
    assert "贯中社区合同收款未录入" in page and "退回" in page


def test_review_action_on_the_list(client_for, snap_a):
    from django.contrib.admin import helpers

    response = client_for("township_reviewer").post(
        reverse("admin:reports_reportsnapshot_changelist"),
        {"action": "review_selected", helpers.ACTION_CHECKBOX_NAME: [snap_a.pk]},
        follow=True,
    )
    assert response.status_code == 200
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.TOWNSHIP_REVIEWED


def test_snapshot_xlsx_download_is_the_frozen_table(client_for, snap_a):
    response = client_for("township_reviewer").get(change_url(snap_a) + "?export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    labels = [row[1] for row in sheet.iter_rows(values_only=True) if row[1]]
    assert "合计" in labels
    assert any("快照" in str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0])


def test_regenerate_after_lock_makes_a_new_revision_with_its_diff(client_for, snap_a):
    from backoffice.accounts.models import User
    from backoffice.contracts.models import Contract
    from reports.snapshots import lock_snapshot, review_snapshot

    for username in ("township_reviewer", "county_admin", "city_analyst"):
        review_snapshot(snap_a, user=User.objects.get(username=username))
    lock_snapshot(snap_a)
    client = client_for("county_admin")
    client.post(change_url(snap_a), {"do": "regenerate"})
    assert ReportSnapshot.objects.filter(report_code="R3", region_code=snap_a.region_code).count() == 1

    contract = (
        Contract.objects.filter(region_code__startswith=TOWNSHIP_A, review_status="approved")
        .exclude(status="draft")
        .filter(term_start__lte=f"{YEAR}-12-31", term_end__gte=f"{YEAR}-01-01")
        .first()
    )
    Contract.objects.filter(pk=contract.pk).update(total_amount=contract.total_amount + 1000)
    response = client.post(change_url(snap_a), {"do": "regenerate"}, follow=True)
    fresh = ReportSnapshot.objects.get(report_code="R3", region_code=snap_a.region_code, revision=2)
    assert response.redirect_chain[-1][0] == change_url(fresh)
    html = response.content.decode()
    assert 'id="snapshot-diff"' in html and "合同金额" in html.split('id="snapshot-diff"')[1]
    snap_a.refresh_from_db()
    assert snap_a.status == SnapshotStatus.LOCKED
