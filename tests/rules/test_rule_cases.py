"""Per-rule fixture cases: facts → match / no match / unevaluable, on both evaluators (per record through
business-rules, and set-based in the database)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from rules.engine import (
    MATCH,
    NO_MATCH,
    UNEVALUABLE,
    evaluate_queryset,
    evaluate_record,
    in_window,
    variables_class,
)
from rules.schema import build_definition, shipped_rules
from rules.variables import EvalContext, registry

from .conftest import (
    AS_OF,
    D,
    balance,
    bank_txn,
    cash_limit,
    contract,
    debt,
    no_cash_limit,
    plan,
    receipt,
)

pytestmark = pytest.mark.django_db
OUT = "out_of_window"


def outcome(rule, record, as_of=AS_OF, params=None):
    """The outcome on both evaluators (asserting they agree) and the per-record result."""
    ctx = EvalContext(as_of=as_of, params={**rule.default_params(), **(params or {})})
    variables = registry.for_subject(rule.subject)
    if not in_window(rule, variables_class(rule.subject)(record, ctx, variables), ctx):
        per_record, result = OUT, None
    else:
        result = evaluate_record(rule, record, ctx)
        per_record = result.outcome
    model = registry.model(rule.subject)
    s = evaluate_queryset(rule, model.objects.filter(pk=record.pk), ctx)
    set_based = (
        MATCH
        if record.pk in s.matched
        else NO_MATCH
        if record.pk in s.unmatched
        else UNEVALUABLE
        if record.pk in s.unevaluable
        else OUT
    )
    assert per_record == set_based, (per_record, set_based, result and result.why)
    if result is not None and result.matched:
        assert result.escalated == (record.pk in s.escalated)
    return per_record, result


def rule(code):
    return shipped_rules()[code]


# ---- A1 ---------------------------------------------------------------------------------------------------
def test_a1_default_limit_when_no_approved_limit(org_a):
    no_cash_limit(org_a)
    assert outcome(rule("A1"), balance(org_a, cash="5000.00"))[0] == NO_MATCH
    got, result = outcome(rule("A1"), balance(org_a, cash="5000.01"))
    assert got == MATCH and not result.escalated
    assert str(result.distance) == "0.01"
    assert result.facts["cash_limit"] == "5000.00"
    got, result = outcome(rule("A1"), balance(org_a, cash="10000.01"))
    assert got == MATCH and result.escalated


def test_a1_uses_the_approved_limit_valid_that_day(org_a):
    cash_limit(org_a, 20000)
    assert outcome(rule("A1"), balance(org_a, cash=15000))[0] == NO_MATCH
    assert outcome(rule("A1"), balance(org_a, cash="20000.01"))[0] == MATCH
    cash_limit(org_a, 20000, valid_from=AS_OF - timedelta(days=60), valid_to=AS_OF - timedelta(days=1))
    assert outcome(rule("A1"), balance(org_a, cash=15000))[0] == MATCH  # expired: default 5,000 applies


def test_a1_param_override_changes_the_default(org_a):
    no_cash_limit(org_a)
    assert outcome(rule("A1"), balance(org_a, cash=6000), params={"default_limit": 8000})[0] == NO_MATCH


def test_a1_only_looks_at_the_as_of_day(org_a):
    assert outcome(rule("A1"), balance(org_a, day=AS_OF - timedelta(days=1), cash=99999))[0] == OUT


def test_a1_negative(org_a):
    assert outcome(rule("A1-negative"), balance(org_a, cash="-0.01"))[0] == MATCH
    assert outcome(rule("A1-negative"), balance(org_a, cash=0))[0] == NO_MATCH


def test_a1_running_days(org_a):
    no_cash_limit(org_a)
    balance(org_a, day=AS_OF - timedelta(days=2), cash=6000)
    balance(org_a, day=AS_OF - timedelta(days=1), cash=6000)
    today = balance(org_a, cash=6000)
    got, result = outcome(rule("A1-running"), today)
    assert got == MATCH and result.facts["cash_over_limit_days"] == 3
    balance(org_a, day=AS_OF - timedelta(days=2), cash=100)
    assert outcome(rule("A1-running"), today)[0] == NO_MATCH


def test_a1_missing_fact_is_unevaluable_not_a_crash(org_a):
    from backoffice.funds.models import DailyBalance

    unsaved = DailyBalance(org=org_a, balance_date=AS_OF, cash_balance=None)
    result = evaluate_record(rule("A1-negative"), unsaved, EvalContext(as_of=AS_OF))
    assert result.outcome == UNEVALUABLE and result.missing == ["cash_balance"]


def test_unevaluable_on_both_evaluators(org_a):
    data = copy.deepcopy(rule("A1-negative").raw)
    data["conditions"] = {"all": [{"name": "approved_cash_limit", "operator": "less_than", "value": 1000}]}
    adhoc = build_definition(data)
    no_cash_limit(org_a)
    got, result = outcome(adhoc, balance(org_a, cash=1))
    assert got == UNEVALUABLE and result.missing == ["approved_cash_limit"]
    # an `any` with one true branch is a match even when another branch is unknown
    data["conditions"] = {
        "any": [data["conditions"], {"name": "cash_balance", "operator": "greater_than", "value": 0}]
    }
    assert outcome(build_definition(data), balance(org_a, cash=1))[0] == MATCH


# ---- A2 ---------------------------------------------------------------------------------------------------
def test_a2_single(org_a):
    got, result = outcome(rule("A2-single"), bank_txn(org_a, 50000))
    assert got == MATCH and result.escalated  # a debit without an approved payment request is red
    assert outcome(rule("A2-single"), bank_txn(org_a, "49999.99"))[0] == NO_MATCH
    got, result = outcome(rule("A2-single"), bank_txn(org_a, 60000, direction="credit"))
    assert got == MATCH and not result.escalated


def test_a2_single_with_approved_request_stays_yellow(org_a):
    from backoffice.funds.models import PaymentRequest

    request = PaymentRequest.objects.filter(org=org_a, status="approved").first()
    if request is None:
        request = PaymentRequest.objects.filter(org=org_a).first()
        PaymentRequest.objects.filter(pk=request.pk).update(status="approved")
    got, result = outcome(rule("A2-single"), bank_txn(org_a, 70000, payment_request=request))
    assert got == MATCH and not result.escalated


def test_a2_daily_total(org_a):
    day = AS_OF - timedelta(days=1)
    first = bank_txn(org_a, 60000, day=day)
    assert outcome(rule("A2-daily"), first)[0] == NO_MATCH
    second = bank_txn(org_a, 40000, day=day)
    assert outcome(rule("A2-daily"), first)[0] == MATCH
    assert outcome(rule("A2-daily"), second)[0] == MATCH
    assert outcome(rule("A2-daily"), bank_txn(org_a, 90000, day=day, direction="credit"))[0] == NO_MATCH


def test_a2_to_individual(org_a):
    assert outcome(rule("A2-individual"), bank_txn(org_a, 10000, counterparty_kind="individual"))[0] == MATCH
    assert (
        outcome(rule("A2-individual"), bank_txn(org_a, 9999, counterparty_kind="individual"))[0] == NO_MATCH
    )
    assert (
        outcome(
            rule("A2-individual"), bank_txn(org_a, 20000, direction="credit", counterparty_kind="individual")
        )[0]
        == NO_MATCH
    )
    assert outcome(rule("A2-individual"), bank_txn(org_a, 20000))[0] == NO_MATCH


# ---- A3 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (91, set()),
        (90, {"A3-90"}),
        (61, {"A3-90"}),
        (60, {"A3-60"}),
        (31, {"A3-60"}),
        (30, {"A3-30"}),
        (8, {"A3-30"}),
        (7, {"A3-7"}),
        (0, {"A3-7"}),
        (-1, set()),
    ],
)
def test_a3_expiry_windows(org_a, days, expected):
    c = contract(org_a, term_end=AS_OF + timedelta(days=days))
    hits = {code for code in ("A3-90", "A3-60", "A3-30", "A3-7") if outcome(rule(code), c)[0] == MATCH}
    assert hits == expected


def test_a3_windows_ignore_inactive_contracts(org_a):
    c = contract(org_a, term_end=AS_OF + timedelta(days=5), status="settled")
    assert outcome(rule("A3-7"), c)[0] == NO_MATCH


def test_a3_unpaid_at_expiry(org_a):
    c = contract(org_a, term_end=AS_OF - timedelta(days=1), status="expired")
    plan(c, AS_OF - timedelta(days=100), 1000)
    got, result = outcome(rule("A3-unpaid"), c)
    assert got == MATCH and result.facts["receivable_outstanding"] == "1000.00"
    receipt(c, AS_OF - timedelta(days=90), 1000)
    assert outcome(rule("A3-unpaid"), c)[0] == NO_MATCH


def test_a3_overdue_instalment(org_a):
    c = contract(org_a, term_end=AS_OF + timedelta(days=400))
    plan(c, AS_OF + timedelta(days=10), 500)
    assert outcome(rule("A3-overdue"), c)[0] == NO_MATCH
    plan(c, AS_OF - timedelta(days=1), 800)
    got, result = outcome(rule("A3-overdue"), c)
    assert got == MATCH and str(result.distance) == "800.00"
    receipt(c, AS_OF, 800)
    assert outcome(rule("A3-overdue"), c)[0] == NO_MATCH


def test_a3_expiring_and_not_listed(org_a):
    assert outcome(rule("A3-unlisted"), contract(org_a, term_end=AS_OF + timedelta(days=30)))[0] == MATCH
    listed = contract(org_a, term_end=AS_OF + timedelta(days=30), trading_ref="JY-2026-001")
    assert outcome(rule("A3-unlisted"), listed)[0] == NO_MATCH
    assert outcome(rule("A3-unlisted"), contract(org_a, term_end=AS_OF + timedelta(days=200)))[0] == NO_MATCH


# ---- A4 ---------------------------------------------------------------------------------------------------
def test_a4_new_item(org_a):
    assert outcome(rule("A4-new"), debt(org_a, amount=10000))[0] == MATCH
    assert outcome(rule("A4-new"), debt(org_a, amount="9999.99"))[0] == NO_MATCH
    assert (
        outcome(rule("A4-new"), debt(org_a, amount=50000, origin_date=AS_OF - timedelta(days=60)))[0] == OUT
    )


def test_a4_borrowing_lending_guarantee(org_a):
    got, result = outcome(rule("A4-borrowing"), debt(org_a, amount=100, borrowing=True))
    assert got == MATCH and result.escalated  # no meeting resolution: red
    got, result = outcome(
        rule("A4-borrowing"), debt(org_a, amount=100, guarantee=True, approval_ref="成员大会决议1号")
    )
    assert got == MATCH and not result.escalated
    assert outcome(rule("A4-borrowing"), debt(org_a, amount=100, lending=True))[0] == MATCH
    assert outcome(rule("A4-borrowing"), debt(org_a, amount=100))[0] == NO_MATCH


# ---- A5, A7, A9, A10, A11, A12 -----------------------------------------------------------------------
def _clone_first(model, org, **changes):
    from .conftest import clone

    template = model.objects.filter(org=org).first() or model.objects.first()
    return clone(template, org=org, **changes)


def test_a5_disclosure_overdue(org_a):
    from backoffice.disclosure.models import Disclosure, DisclosurePlan

    plan_ = _clone_first(DisclosurePlan, org_a, period="209901", due_date=AS_OF - timedelta(days=15))
    assert outcome(rule("A5"), plan_)[0] == MATCH
    plan_.due_date = AS_OF - timedelta(days=14)
    plan_.save()
    assert outcome(rule("A5"), plan_)[0] == NO_MATCH
    published = Disclosure.objects.filter(plan__isnull=False, published_on__isnull=False).first()
    other = published.plan
    DisclosurePlan.objects.filter(pk=other.pk).update(due_date=AS_OF - timedelta(days=40))
    Disclosure.objects.filter(pk=published.pk).update(published_on=AS_OF - timedelta(days=1))
    other.refresh_from_db()
    assert outcome(rule("A5"), other)[0] == NO_MATCH
    Disclosure.objects.filter(plan=other).update(
        published_on=AS_OF + timedelta(days=1)
    )  # after the as-of date
    assert outcome(rule("A5"), other)[0] == MATCH


def test_a7_ledger_not_equal_bank(org_a):
    from backoffice.funds.models import BankReconciliation

    recon = _clone_first(
        BankReconciliation,
        org_a,
        period="209912",
        adjusted_ledger_balance=1000,
        adjusted_statement_balance=1000,
    )
    assert outcome(rule("A7"), recon)[0] == NO_MATCH
    recon.adjusted_statement_balance = D("1200.50")
    recon.save()
    got, result = outcome(rule("A7"), recon)
    assert got == MATCH and result.facts["adjusted_gap"] == "200.50"
    assert outcome(rule("A7"), recon, params={"tolerance": D("300")})[0] == NO_MATCH


def test_a9_idle_resource(org_a):
    from backoffice.assets.models import Resource

    res = _clone_first(
        Resource, org_a, resource_code="TR-1", use_mode="idle", idle_since=AS_OF - timedelta(days=180)
    )
    assert outcome(rule("A9"), res)[0] == MATCH
    res.idle_since = AS_OF - timedelta(days=179)
    res.save()
    assert outcome(rule("A9"), res)[0] == NO_MATCH
    res.use_mode, res.idle_since = "leased", None
    res.save()
    assert outcome(rule("A9"), res)[0] == NO_MATCH


def test_a10_levy_cap_and_meeting(org_a):
    from backoffice.levies.models import LevyMeeting, LevyProject

    from .conftest import clone

    project = _clone_first(
        LevyProject, org_a, project_no="TL-1", status="township_reviewed", money_standard=15
    )
    LevyMeeting.objects.filter(project=project).delete()
    got, result = outcome(rule("A10"), project)
    assert got == MATCH and result.escalated  # no meeting at all
    template = LevyMeeting.objects.first()
    meeting = clone(
        template,
        project=project,
        org=org_a,
        meeting_type="assembly",
        eligible_count=100,
        attendees=51,
        votes_for=26,
        votes_against=0,
        votes_abstain=0,
    )
    assert outcome(rule("A10"), project)[0] == NO_MATCH
    LevyMeeting.objects.filter(pk=meeting.pk).update(votes_for=25)  # exactly half is not a majority
    assert outcome(rule("A10"), project)[0] == MATCH
    LevyMeeting.objects.filter(pk=meeting.pk).update(
        meeting_type="representatives", eligible_count=30, attendees=24, votes_for=20
    )
    assert outcome(rule("A10"), project)[0] == NO_MATCH
    project.money_standard = D("15.01")
    project.save()
    got, result = outcome(rule("A10"), project)
    assert got == MATCH and not result.escalated
    project.status = "proposed"
    project.save()
    assert outcome(rule("A10"), project)[0] == NO_MATCH


def test_a11_subsidy_failed_and_duplicate(org_a, org_b):
    from backoffice.subsidies.models import SubsidyRoster

    from .conftest import clone

    row = SubsidyRoster.objects.filter(org=org_a).first()
    SubsidyRoster.objects.filter(pk=row.pk).update(status="pending", paid_on=None)
    row.refresh_from_db()
    assert outcome(rule("A11-failed"), row)[0] == NO_MATCH
    SubsidyRoster.objects.filter(pk=row.pk).update(status="returned")
    row.refresh_from_db()
    assert outcome(rule("A11-failed"), row)[0] == MATCH
    SubsidyRoster.objects.filter(program=row.program, beneficiary_id_hash=row.beneficiary_id_hash).exclude(
        pk=row.pk
    ).delete()
    assert outcome(rule("A11-duplicate"), row)[0] == NO_MATCH
    twin = clone(SubsidyRoster.objects.get(pk=row.pk), org=org_b)
    assert outcome(rule("A11-duplicate"), row)[0] == MATCH
    assert outcome(rule("A11-duplicate"), twin)[0] == MATCH


def test_a12_rectification_overdue(org_a):
    from backoffice.keywork.models import ProblemLedger

    problem = _clone_first(
        ProblemLedger,
        org_a,
        problem_no="TP-1",
        status="rectifying",
        found_on=AS_OF - timedelta(days=100),
        deadline=AS_OF - timedelta(days=1),
        verified_on=None,
    )
    assert outcome(rule("A12"), problem)[0] == MATCH
    problem.deadline = AS_OF
    problem.save()
    assert outcome(rule("A12"), problem)[0] == NO_MATCH
    problem.deadline, problem.status = AS_OF - timedelta(days=30), "rectified"
    problem.save()
    assert outcome(rule("A12"), problem)[0] == NO_MATCH


# ---- review overdue (working days) -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted", "status", "expected"),
    [
        (date(2026, 6, 8), "submitted", MATCH),  # Mon 8 June: 5 working days to Mon 15 June
        (date(2026, 6, 9), "submitted", NO_MATCH),
        (date(2026, 6, 1), "approved", NO_MATCH),
        (None, "draft", NO_MATCH),
    ],
)
def test_review_overdue_in_working_days(org_a, submitted, status, expected):
    from django.utils import timezone

    c = contract(org_a, term_end=AS_OF + timedelta(days=500))
    c.review_status = status
    c.submitted_at = (
        timezone.make_aware(datetime.combine(submitted, datetime.min.time()).replace(hour=23, minute=30))
        if submitted
        else None
    )
    c.save()
    assert outcome(rule("REV-contract"), c)[0] == expected


def test_review_overdue_skips_holidays():
    from rules.workdays import working_days_bound

    # National Day 2026: 1–7 October off; Saturday 10 October is a make-up workday
    assert working_days_bound(date(2026, 10, 12), 2) == date(2026, 10, 9)
    assert working_days_bound(date(2026, 10, 8), 2) == date(2026, 9, 29)


# ---- A8 period not closed -----------------------------------------------------------------------------
def _books(org, periods, closed=None):
    """A fresh account set (the old-chart one, which the demo does not create) with one voucher in each
    of ``periods`` and a close of each of ``closed`` (period → closed_at or (closed_at, reopened))."""
    from backoffice.accounting.models import AccountSet, PeriodClose, Voucher

    from .conftest import clone

    books = clone(
        AccountSet.objects.filter(org=org).first(), chart_version="2004", start_period="202201", name="测试"
    )
    template = Voucher.objects.filter(org=org).first()
    for n, period in enumerate(periods, start=1):
        clone(Voucher.objects.get(pk=template.pk), account_set=books, period=period, number=n)
    for period, (at, reopened) in (closed or {}).items():
        PeriodClose.objects.create(
            org=org,
            account_set=books,
            period=period,
            is_closed=not reopened,
            closed_at=at,
            reopened_at=at + timedelta(hours=1) if reopened else None,
            reopen_reason="补记凭证" if reopened else "",
        )
    return books


def _at(day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def test_a8_period_not_closed_after_ten_working_days(org_a):
    books = _books(org_a, ["202604", "202605", "202606"], {"202604": (_at(date(2026, 5, 6)), False)})
    # May ends on Sunday 31 May; 1–12 June are its 10 working days: due at the end of Friday 12 June
    assert outcome(rule("A8"), books, as_of=date(2026, 6, 11))[0] == NO_MATCH
    got, result = outcome(rule("A8"), books, as_of=date(2026, 6, 12))
    assert got == MATCH and not result.escalated
    assert result.facts["oldest_unclosed_period"] == "202605"
    assert result.facts["overdue_unclosed_periods"] == 1
    # a shorter limit for this region makes April's late close irrelevant but May overdue earlier
    assert outcome(rule("A8"), books, as_of=date(2026, 6, 5), params={"close_days": 5})[0] == MATCH


def test_a8_closed_in_time_late_reopened_and_escalation(org_a):
    from backoffice.accounting.models import PeriodClose, Voucher

    from .conftest import clone

    books = _books(org_a, ["202605"], {"202605": (_at(date(2026, 6, 12)), False)})
    assert outcome(rule("A8"), books, as_of=date(2026, 6, 12))[0] == NO_MATCH
    # closed after the as-of date: a catch-up run for 12 June still sees it open
    PeriodClose.objects.filter(account_set=books).update(closed_at=_at(date(2026, 6, 13)))
    assert outcome(rule("A8"), books, as_of=date(2026, 6, 12))[0] == MATCH
    assert outcome(rule("A8"), books, as_of=date(2026, 6, 13))[0] == NO_MATCH
    PeriodClose.objects.filter(account_set=books).update(
        is_closed=False, reopened_at=_at(date(2026, 6, 14)), reopen_reason="补记凭证"
    )
    got, result = outcome(rule("A8"), books, as_of=date(2026, 6, 15))
    assert got == MATCH and not result.escalated
    clone(Voucher.objects.filter(account_set=books).first(), period="202604", number=99)
    got, result = outcome(rule("A8"), books, as_of=date(2026, 6, 15))
    assert got == MATCH and result.escalated  # two months overdue: red
    assert result.facts["oldest_unclosed_period"] == "202604"


def test_a8_books_without_vouchers_do_not_match(org_a):
    books = _books(org_a, [])
    got, result = outcome(rule("A8"), books, as_of=date(2026, 6, 15))
    assert got == NO_MATCH and result.facts["has_vouchers"] is False


def test_a8_national_day_holiday_moves_the_deadline(org_a):
    books = _books(org_a, ["202609"])
    # 1–7 October 2026 are holidays, Saturday 10 October a make-up workday: the 10 working days after
    # 30 September are 8, 9, 10, 12–16, 19 and 20 October
    assert outcome(rule("A8"), books, as_of=date(2026, 10, 19))[0] == NO_MATCH
    assert outcome(rule("A8"), books, as_of=date(2026, 10, 20))[0] == MATCH


# ---- resource contracts off the trading platform --------------------------------------------------------
def test_resource_contract_signed_off_platform(org_a):
    from backoffice.assets.models import Resource

    resource = Resource.objects.filter(org=org_a).first()
    c = contract(org_a, term_end=AS_OF + timedelta(days=700))
    c.subject_resource, c.signed_on, c.traded_on_platform = resource, date(2023, 3, 1), False
    c.save()
    got, result = outcome(rule("A3-offplatform"), c)
    assert got == MATCH and result.facts["signed_on"] == "2023-03-01"
    c.traded_on_platform = True
    c.save()
    assert outcome(rule("A3-offplatform"), c)[0] == NO_MATCH
    c.traded_on_platform, c.signed_on = False, date(2021, 12, 31)  # before the platform requirement
    c.save()
    assert outcome(rule("A3-offplatform"), c)[0] == NO_MATCH
    assert outcome(rule("A3-offplatform"), c, params={"since": date(2021, 1, 1)})[0] == MATCH
    c.signed_on = None
    c.save()
    assert outcome(rule("A3-offplatform"), c)[0] == UNEVALUABLE
    c.signed_on, c.subject_resource = date(2023, 3, 1), None  # not a resource contract
    c.save()
    assert outcome(rule("A3-offplatform"), c)[0] == NO_MATCH
