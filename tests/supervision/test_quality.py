"""Data-quality indicators (returned at review, import validation failures, ledger/bank mismatches, overdue
disclosures) against independent counts over raw rows, replayed for a past day, and weighed by the
scorecard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from reports.supervision.coverage import compute_coverage
from reports.supervision.quality import last_complete_month
from reports.supervision.scoring import active_scorecard, compute_scores, indicator_value
from reports.table import Period
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db

COUNTY_CODE = COUNTY.ljust(12, "0")
A, B = TOWNSHIP_A.ljust(12, "0"), TOWNSHIP_B.ljust(12, "0")
YEAR = Period.containing("year", date.today())


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def township_of(code: str) -> str:
    return code[:9].ljust(12, "0")


def quality(coverage, code: str) -> dict[str, list[int]]:
    return {row.code: row.quality.get(code, [0, 0]) for row in coverage.children}


def vouchers(prefix: str, count: int):
    from backoffice.accounting.models import Voucher

    rows = list(
        Voucher.objects.filter(region_code__startswith=prefix)
        .exclude(region_code__endswith="000")
        .order_by("pk")[:count]
    )
    assert len(rows) == count
    return rows


@pytest.fixture
def orgs_since_2024(db):
    """The demo organisations back-dated as if entered on 1 January 2024 (so 2025 has units)."""
    from backoffice.regions.models import CollectiveOrg

    CollectiveOrg.objects.update(created_at=datetime(2024, 1, 1, tzinfo=UTC))


def review_decisions(prefix: str, start: date, end: date) -> dict[str, list[int]]:
    """{township: [returns, decisions]} by reading every audit entry of a data record type in Python."""
    from auditlog.models import LogEntry

    from reports.supervision.sources import MODULES

    labels = {s.model_label.lower() for m in MODULES for s in m.sources}
    result: dict[str, list[int]] = {}
    for entry in LogEntry.objects.select_related("content_type"):
        if f"{entry.content_type.app_label}.{entry.content_type.model}" not in labels:
            continue
        change = (entry.changes or {}).get("review_status")
        code = (entry.additional_data or {}).get("region_code") or ""
        local = entry.timestamp.astimezone(UTC).date()  # the test moves entries to noon UTC
        if not change or change[1] not in ("approved", "returned") or not code.startswith(prefix):
            continue
        if not (start <= local <= end):
            continue
        pair = result.setdefault(township_of(code), [0, 0])
        pair[0] += change[1] == "returned"
        pair[1] += 1
    return result


def test_returned_share_counts_review_decisions_and_replays_a_past_day(users, orgs_since_2024):
    from auditlog.models import LogEntry

    from backoffice.core.review import record_approve, record_return, record_submit

    bookkeeper, reviewer = users["village_bookkeeper"], users["township_reviewer"]
    first, second, third = vouchers(bookkeeper.scope_region_id, 3)
    for voucher in (first, second, third):
        voucher.review_status = "draft"
        voucher.save(update_fields=["review_status"])
        record_submit(record=voucher, user=bookkeeper)
    returned_on, approved_on = date(2025, 3, 10), date(2025, 3, 20)
    record_return(record=first, user=reviewer, reason="附件缺少发票")
    record_return(record=second, user=reviewer, reason="金额与凭证不符")
    record_approve(record=third, user=reviewer)
    record_submit(record=first, user=bookkeeper)
    record_approve(record=first, user=reviewer)
    # Place the decisions in the past: the returns (and the third voucher's approval) on 10 March, the
    # corrected first voucher's approval on 20 March.
    decisions = LogEntry.objects.filter(
        object_pk__in=[str(v.pk) for v in (first, second, third)],
        content_type__model="voucher",
        changes__review_status__1__in=["approved", "returned"],
    )
    last = decisions.filter(object_pk=str(first.pk), changes__review_status__1="approved")
    last.update(timestamp=at(approved_on))
    decisions.exclude(pk__in=last.values("pk")).update(timestamp=at(returned_on))

    later = compute_coverage(user=users["county_admin"], region_code=COUNTY_CODE, period="2025")
    assert quality(later, "returned") == {
        **{row.code: [0, 0] for row in later.children},
        **review_decisions(COUNTY, date(2025, 1, 1), date(2025, 12, 31)),
    }
    assert quality(later, "returned")[township_of(first.region_code)] == [2, 4]
    between = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period="2025", as_of=date(2025, 3, 15)
    )
    # on 15 March the corrected voucher was not yet approved: two returns out of three decisions
    assert quality(between, "returned")[township_of(first.region_code)] == [2, 3]
    assert between.total.quality["returned"] == [2, 3]
    before = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period="2025", as_of=date(2025, 3, 9)
    )
    assert before.total.quality.get("returned", [0, 0]) == [0, 0]


def make_job(user, scope_code: str, day: date, total: int, invalid: int, status: str):
    from imports.models import ImportJob

    job = ImportJob.objects.create(
        file=f"imports/test/{scope_code}-{total}.xlsx",
        original_name="凭证.xlsx",
        model_label="accounting.Voucher",
        user=user,
        scope_code=scope_code,
        status=status,
        total_rows=total,
        invalid_count=invalid,
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=at(day))
    return job


def test_import_validation_failures_match_an_independent_sum(users, org_a, org_b, orgs_since_2024):
    from imports.models import ImportJob

    user = users["village_bookkeeper"]
    day = date(2025, 5, 6)
    make_job(user, org_a.region_code, day, total=10, invalid=3, status="failed")
    make_job(user, org_a.region_code, day, total=20, invalid=0, status="committed")
    make_job(user, org_b.region_code, day, total=8, invalid=8, status="failed")
    make_job(user, org_b.region_code, date(2025, 7, 1), total=5, invalid=5, status="failed")  # after as_of
    coverage = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period="2025", as_of=date(2025, 6, 30)
    )
    expected: dict[str, list[int]] = {row.code: [0, 0] for row in coverage.children}
    for job in ImportJob.objects.all():
        if job.scope_code.startswith(COUNTY) and date(2025, 1, 1) <= job.created_at.date() <= date(
            2025, 6, 30
        ):
            pair = expected.setdefault(township_of(job.scope_code), [0, 0])
            pair[0] += job.invalid_count
            pair[1] += job.total_rows
    assert quality(coverage, "import_invalid") == expected
    assert expected[township_of(org_a.region_code)] == [3, 30]
    assert expected[township_of(org_b.region_code)] == [8, 8]


def mismatches(prefix: str, period: Period, as_of: date) -> dict[str, list[int]]:
    """{township: [mismatched, reconciliations]} over raw rows in Python."""
    from backoffice.funds.models import BankReconciliation

    last = min(period.end, last_complete_month(as_of))
    result: dict[str, list[int]] = {}
    for recon in BankReconciliation._base_manager.all():
        if not recon.region_code.startswith(prefix):
            continue
        if not (f"{period.start:%Y%m}" <= recon.period <= f"{last:%Y%m}"):
            continue
        pair = result.setdefault(township_of(recon.region_code), [0, 0])
        pair[0] += recon.adjusted_ledger_balance != recon.adjusted_statement_balance
        pair[1] += 1
    return result


def test_ledger_bank_mismatches_are_counted_from_the_reconciliations(users):
    from backoffice.funds.models import BankReconciliation

    as_of = date.today()
    period = Period("year", as_of.year, 1)
    last = last_complete_month(as_of)
    shown = BankReconciliation.objects.filter(
        region_code__startswith=TOWNSHIP_A, period__gte=f"{period.start:%Y%m}", period__lte=f"{last:%Y%m}"
    )
    target = shown.order_by("pk").first()
    assert target is not None, "the demo has month-end reconciliations in township A"
    # make one reconciliation balance and another differ, whatever the demo planted
    BankReconciliation.objects.filter(pk=target.pk).update(
        adjusted_statement_balance=target.adjusted_ledger_balance + Decimal("12.30"), is_balanced=True
    )
    coverage = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period=period, as_of=as_of
    )
    expected = {row.code: [0, 0] for row in coverage.children} | mismatches(COUNTY, period, as_of)
    assert quality(coverage, "bank_mismatch") == expected
    # the mismatch is read from the amounts, not from the stored flag or from alerts
    assert expected[A][0] >= 1
    # a reconciliation entered after the as-of day does not count
    BankReconciliation.objects.filter(pk=target.pk).update(created_at=datetime.now(UTC) + timedelta(days=2))
    replay = compute_coverage(user=users["county_admin"], region_code=COUNTY_CODE, period=period, as_of=as_of)
    assert replay.total.quality["bank_mismatch"] == [
        coverage.total.quality["bank_mismatch"][0] - 1,
        coverage.total.quality["bank_mismatch"][1] - 1,
    ]


def test_overdue_disclosures_match_an_independent_count(users, org_a):
    from backoffice.disclosure.models import Disclosure, DisclosurePlan

    as_of = date.today()
    period = Period("year", as_of.year, 1)
    due = max(period.start, as_of - timedelta(days=40))
    if due > as_of - timedelta(days=15):
        pytest.skip("no day of this year is past the 15-day grace yet")
    DisclosurePlan.objects.create(
        org=org_a, region_code=org_a.region_code, period_type="special", period="测试专项公开", due_date=due
    )
    coverage = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period=period, as_of=as_of
    )
    expected: dict[str, list[int]] = {row.code: [0, 0] for row in coverage.children}
    published = {
        d.plan_id
        for d in Disclosure._base_manager.all()
        if d.plan_id and d.published_on is not None and d.published_on <= as_of
    }
    for plan in DisclosurePlan._base_manager.all():
        if not plan.region_code.startswith(COUNTY):
            continue
        if not (period.start <= plan.due_date <= as_of - timedelta(days=15)):
            continue
        pair = expected.setdefault(township_of(plan.region_code), [0, 0])
        pair[0] += plan.pk not in published
        pair[1] += 1
    assert quality(coverage, "disclosure_overdue") == expected
    assert expected[A][0] >= 1
    # overdue and on time are complements over the same plans
    for row in coverage.children:
        overdue, plans = row.quality.get("disclosure_overdue", [0, 0])
        assert row.extras.get("disclosure_on_time", [0, 0]) == [plans - overdue, plans]


def test_changing_the_weight_of_a_data_quality_indicator_changes_the_score(users, org_a):
    from backoffice.funds.models import BankReconciliation

    as_of = date.today()
    period = Period("year", as_of.year, 1)
    last = last_complete_month(as_of)
    # every reconciliation of township A in the period mismatches, so its bank_match value is 0
    BankReconciliation.objects.filter(
        region_code__startswith=TOWNSHIP_A, period__gte=f"{period.start:%Y%m}", period__lte=f"{last:%Y%m}"
    ).update(adjusted_statement_balance=Decimal("-1"))
    card = active_scorecard()
    assert card.indicators.filter(indicator__in=["quality", "import_valid", "bank_match"]).count() == 3
    card.indicators.exclude(indicator__in=["coverage", "bank_match"]).delete()
    coverage = compute_coverage(
        user=users["county_admin"], region_code=COUNTY_CODE, period=period, as_of=as_of
    )
    row = next(r for r in coverage.children if r.code == A)
    assert indicator_value(row, "bank_match") == 0
    assert indicator_value(row, "coverage") > 0

    def score_of_a() -> Decimal:
        scores = compute_scores(
            user=users["county_admin"], region_code=COUNTY_CODE, period=period, as_of=as_of
        )
        return next(s for s in scores[1] if s.code == A)

    before = score_of_a()
    bank = card.indicators.get(indicator="bank_match")
    bank.weight = Decimal("60")
    bank.save()
    after = score_of_a()
    coverage_item = card.indicators.get(indicator="coverage")
    weight_coverage = coverage_item.weight
    coverage_points = min(
        Decimal(str(indicator_value(row, "coverage"))) * 100 / coverage_item.target, Decimal(1)
    )
    expected = (coverage_points * weight_coverage * 100 / (weight_coverage + Decimal("60"))).quantize(
        Decimal("0.01")
    )
    assert after.score == expected
    assert after.score < before.score
    evidence = next(e for e in after.evidence if e.indicator == "bank_match")
    assert evidence.value == 0 and evidence.points == Decimal("0.00")


def test_quality_is_shown_on_the_page_in_the_bulletin_and_in_both_workbooks(client_for, users):
    import io

    import openpyxl
    from django.urls import reverse

    from reports.supervision.bulletins import bulletin_generate
    from reports.supervision.quality import QUALITY_LABELS
    from tests.reports.html_table import parse_table

    client = client_for("county_admin")
    url = reverse("admin:supervision_supervisionpage_changelist")
    html = client.get(url).content.decode()
    shown = parse_table(html, "quality-table")
    assert shown.headers[1:] == list(QUALITY_LABELS.values())
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content))
    sheet = book["进场与质量"]
    header = [c.value for c in sheet[3]]
    coverage = compute_coverage(user=users["county_admin"], region_code=COUNTY_CODE, period=YEAR)
    for code, label in QUALITY_LABELS.items():
        column = header.index(label)
        by_code = {
            sheet.cell(r, 1).value: sheet.cell(r, column + 2).value for r in range(4, sheet.max_row + 1)
        }
        for row in coverage.children:
            bad, total = row.quality.get(code, [0, 0])
            assert by_code[row.code] == f"{bad}/{total}"
            page_row = next(r for r in shown.rows if r[0] == row.name)
            rate = "—" if not total else f"{bad / total * 100:.1f}%"
            assert page_row[1 + list(QUALITY_LABELS).index(code)].startswith(rate)

    bulletin = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=date.today())
    assert bulletin.data["coverage"]["quality"] == [[k, v] for k, v in QUALITY_LABELS.items()]
    assert {e["label"] for e in bulletin.data["ranking"][0]["evidence"]} >= {
        "导入校验通过率（无错误的行占比）",
        "银行账实相符率（调节后平衡的余额调节表占比）",
    }
    detail = client.get(reverse("admin:supervision_bulletin_detail", args=[bulletin.pk])).content.decode()
    assert parse_table(detail, "quality-table").headers[1:] == list(QUALITY_LABELS.values())
    stored = openpyxl.load_workbook(io.BytesIO(bytes(bulletin.xlsx)))
    assert set(QUALITY_LABELS.values()) <= {c.value for c in stored["进场与质量"][3]}
