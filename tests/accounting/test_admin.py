"""The admin refuses to change or delete a posted voucher or its lines; a draft stays editable."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from backoffice.accounting.models import Voucher, VoucherLine
from backoffice.accounting.services import voucher_create
from tests.accounting.conftest import MARCH, entry

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"admin:accounting_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def posted(users):
    return Voucher.objects.visible_to(users["village_bookkeeper"]).filter(status="posted").first()


@pytest.mark.parametrize("username", ["village_bookkeeper", "admin"])
def test_change_view_post_of_a_posted_voucher_is_refused(posted, username, client_for):
    client = client_for(username)
    assert client.get(_url(Voucher, "change", posted.pk)).status_code == 200  # read-only view
    response = client.post(_url(Voucher, "change", posted.pk), {"summary": "篡改", "attachments_count": "9"})
    assert response.status_code == 403
    assert Voucher.objects.get(pk=posted.pk).summary == posted.summary


@pytest.mark.parametrize("username", ["village_bookkeeper", "admin"])
def test_delete_of_a_posted_voucher_is_refused(posted, username, client_for):
    client = client_for(username)
    assert client.get(_url(Voucher, "delete", posted.pk)).status_code == 403
    assert client.post(_url(Voucher, "delete", posted.pk), {"post": "yes"}).status_code == 403
    assert Voucher.objects.filter(pk=posted.pk).exists()


def test_lines_of_a_posted_voucher_cannot_be_changed_or_deleted(posted, client_for):
    client = client_for("village_bookkeeper")
    line = posted.lines.first()
    assert client.post(_url(VoucherLine, "change", line.pk), {"summary": "篡改"}).status_code == 403
    assert client.post(_url(VoucherLine, "delete", line.pk), {"post": "yes"}).status_code == 403
    assert VoucherLine.objects.get(pk=line.pk).summary == line.summary


def test_bulk_delete_action_does_not_delete_a_posted_voucher(posted, client_for):
    response = client_for("village_bookkeeper").post(
        _url(Voucher, "changelist"),
        {"action": "delete_selected", "_selected_action": [posted.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert Voucher.objects.filter(pk=posted.pk).exists()


def test_draft_voucher_stays_editable_and_deletable_in_the_admin(book, users):
    draft = voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "10"))
    request = RequestFactory().get("/")
    request.user = users["village_bookkeeper"]
    voucher_admin = admin.site._registry[Voucher]
    assert voucher_admin.has_change_permission(request, draft)
    assert voucher_admin.has_delete_permission(request, draft)
    inline = voucher_admin.get_inline_instances(request, draft)[0]
    assert inline.has_change_permission(request, draft) and inline.has_add_permission(request, draft)
    posted = Voucher.objects.visible_to(request.user).filter(status="posted").first()
    assert not voucher_admin.has_change_permission(request, posted)
    assert not any(
        i.has_add_permission(request, posted) for i in voucher_admin.get_inline_instances(request, posted)
    )


def test_admin_line_formset_refuses_unbalanced_lines(book, users, client_for):
    draft = voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "10"))
    lines = list(draft.lines.order_by("line_no"))
    data = {
        "account_set": book.pk,
        "org": book.org_id,
        "voucher_word": "记",
        "number": draft.number,
        "voucher_date": "2022-03-15",
        "period": "202203",
        "summary": "改",
        "attachments_count": "0",
        "source": "manual",
        "entry_kind": "normal",
        "preparer_name": "",
        "reviewer_name": "",
        "source_system": "",
        "source_id": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-id": line.pk,
                f"lines-{index}-voucher": draft.pk,
                f"lines-{index}-line_no": line.line_no,
                f"lines-{index}-account": line.account_id,
                f"lines-{index}-summary": "测试",
                f"lines-{index}-debit": "10" if index == 0 else "0",
                f"lines-{index}-credit": "0" if index == 0 else "9",
            }
        )
    response = client_for("village_bookkeeper").post(_url(Voucher, "change", draft.pk), data)
    assert response.status_code == 200, response.status_code
    assert "借贷不平衡" in response.content.decode()
    assert draft.lines.get(line_no=2).credit == 10


def test_post_action_posts_drafts_through_the_service(book, client_for):
    draft = voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "10"))
    unbalanced = voucher_create(account_set=book, voucher_date=MARCH, lines=entry("102001", "501", "5"))
    unbalanced.lines.filter(line_no=2).update(credit=4)
    response = client_for("township_reviewer").post(
        _url(Voucher, "changelist"),
        {"action": "post_selected", "_selected_action": [draft.pk, unbalanced.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    unbalanced.refresh_from_db()
    assert (draft.status, draft.poster_name) == ("posted", "乡镇农经专岗")
    assert unbalanced.status == "draft"
