from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.funds.choices import ApprovalStep, Decision, Direction, PaymentStatus
from backoffice.funds.models import PaymentRequest
from backoffice.funds.services import (
    bank_transaction_record,
    payment_request_approve,
    payment_request_mark_paid,
    payment_request_reject,
    payment_request_submit,
)

pytestmark = pytest.mark.django_db
VC, FG, TS = ApprovalStep.ordered()


@pytest.fixture
def make_request(org):
    counter = iter(range(1, 1000))

    def make(amount="8000.00", meeting_ref=""):
        request = PaymentRequest(
            org=org,
            request_no=f"TEST-{next(counter):03d}",
            request_date=date(2025, 5, 6),
            requester="王建国",
            purpose="村内道路维修",
            amount=Decimal(amount),
            payee_name="清徐县宏达建筑安装有限公司",
            meeting_ref=meeting_ref,
        )
        request.full_clean()
        request.save()
        return request

    return make


def test_steps_are_ordered_village_committees_then_finance_group_then_township():
    assert [s.order for s in ApprovalStep.ordered()] == [1, 2, 3]
    assert [s.label for s in ApprovalStep.ordered()] == ["村两委审议", "民主理财小组审核", "乡镇审核"]


def test_full_chain_in_order_approves_the_request(make_request, users):
    request = make_request()
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    assert request.status == PaymentStatus.PENDING
    for step in (VC, FG):
        payment_request_approve(request=request, step=step, user=users["village_bookkeeper"])
        assert request.status == PaymentStatus.PENDING
    approval = payment_request_approve(request=request, step=TS, user=users["township_reviewer"], note="同意")
    request.refresh_from_db()
    assert request.status == PaymentStatus.APPROVED
    assert approval.org_id == request.org_id and approval.region_code == request.region_code
    assert approval.approver == users["township_reviewer"].display_name
    assert list(request.approvals.order_by("step_order").values_list("step", flat=True)) == [VC, FG, TS]


def test_a_step_out_of_order_is_refused_and_names_the_expected_step(make_request, users):
    request = make_request()
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    with pytest.raises(ValidationError, match="下一步应为“村两委审议”"):
        payment_request_approve(request=request, step=TS, user=users["township_reviewer"])
    payment_request_approve(request=request, step=VC, user=users["village_bookkeeper"])
    with pytest.raises(ValidationError, match="已审批"):
        payment_request_approve(request=request, step=VC, user=users["village_bookkeeper"])
    with pytest.raises(ValidationError, match="下一步应为“民主理财小组审核”"):
        payment_request_reject(request=request, step=TS, user=users["township_reviewer"], note="不同意")
    assert request.approvals.count() == 1


def test_draft_cannot_be_approved_before_it_is_submitted(make_request, users):
    with pytest.raises(ValidationError, match="只有审批中"):
        payment_request_approve(request=make_request(), step=VC, user=users["village_bookkeeper"])


def test_rejection_needs_a_reason_and_is_final(make_request, users):
    request = make_request()
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    payment_request_approve(request=request, step=VC, user=users["village_bookkeeper"])
    with pytest.raises(ValidationError, match="理由"):
        payment_request_reject(request=request, step=FG, user=users["village_bookkeeper"], note=" ")
    approval = payment_request_reject(
        request=request, step=FG, user=users["village_bookkeeper"], note="超预算"
    )
    assert approval.decision == Decision.REJECT and request.status == PaymentStatus.REJECTED
    with pytest.raises(ValidationError):
        payment_request_approve(request=request, step=TS, user=users["township_reviewer"])


@pytest.mark.parametrize(("amount", "needs"), [("49999.99", False), ("50000.00", True), ("120000.00", True)])
def test_large_requests_need_a_meeting_reference_before_submission(make_request, users, amount, needs):
    request = make_request(amount=amount)
    if needs:
        with pytest.raises(ValidationError) as exc:
            payment_request_submit(request=request, user=users["village_bookkeeper"])
        assert "决策会议" in exc.value.message_dict["meeting_ref"][0]
        request.meeting_ref = "成员代表会议决议〔2025〕3号"
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    assert request.status == PaymentStatus.PENDING


def test_meeting_rule_also_holds_in_clean_for_non_draft_requests(make_request):
    request = make_request(amount="80000.00")
    request.full_clean()  # a draft may still lack it
    request.status = PaymentStatus.PENDING
    with pytest.raises(ValidationError) as exc:
        request.full_clean()
    assert "meeting_ref" in exc.value.message_dict


def test_approved_request_is_marked_paid_by_its_bank_debit(make_request, make_account, users):
    request = make_request(amount="3000.00")
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    for step in (VC, FG, TS):
        payment_request_approve(request=request, step=step, user=users["township_reviewer"])
    account = make_account()
    bank_transaction_record(
        account=account,
        bank_serial="P0",
        txn_date=date(2025, 5, 10),
        direction=Direction.CREDIT,
        amount=Decimal("5000"),
        balance_after=Decimal("5000"),
    )
    debit = bank_transaction_record(
        account=account,
        bank_serial="P1",
        txn_date=date(2025, 5, 12),
        direction=Direction.DEBIT,
        amount=Decimal("3000"),
        balance_after=Decimal("2000"),
    ).transaction
    payment_request_mark_paid(request=request, bank_transaction=debit)
    debit.refresh_from_db()
    assert request.status == PaymentStatus.PAID and request.paid_on == date(2025, 5, 12)
    assert debit.payment_request_id == request.pk


def test_a_decision_typed_in_the_admin_follows_the_chain_and_moves_the_request(
    make_request, client_for, users
):
    from django.urls import reverse

    request = make_request()
    payment_request_submit(request=request, user=users["village_bookkeeper"])
    client = client_for("township_reviewer")
    url = reverse("admin:funds_paymentapproval_add")
    data = {
        "org": request.org_id,
        "request": request.pk,
        "decision": "approve",
        "approver": "李秀英",
        "decided_at_0": "2025-05-07",
        "decided_at_1": "10:00:00",
        "note": "",
        "source_system": "",
        "source_id": "",
    }
    refused = client.post(url, {**data, "step": TS})
    assert refused.status_code == 200
    assert "下一步应为“村两委审议”" in refused.content.decode()
    for step in (VC, FG, TS):
        assert client.post(url, {**data, "step": step}).status_code == 302
    request.refresh_from_db()
    assert request.status == PaymentStatus.APPROVED
    assert set(request.approvals.values_list("approver", flat=True)) == {"李秀英"}
