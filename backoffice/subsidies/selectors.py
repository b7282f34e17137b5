"""Reads of 惠农政策落实 used by alert A11 and the subsidy statistics.

Detection runs over the whole programme (a duplicate across two townships is invisible to either
township alone); callers narrow the returned rows with ``.visible_to(user)`` for display.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .choices import PaymentStatus
from .models import SubsidyProgram, SubsidyRoster


def roster_duplicate_ids(*, program: SubsidyProgram) -> QuerySet[SubsidyRoster]:
    """Roster lines of ``program`` whose beneficiary ID appears on more than one line — necessarily in
    different organisations, since one organisation may list a person only once (unique constraint)."""
    repeated = (
        SubsidyRoster.objects.filter(program=program)
        .values("beneficiary_id_hash")
        .annotate(lines=Count("id"))
        .filter(lines__gt=1)
        .values("beneficiary_id_hash")
    )
    return SubsidyRoster.objects.filter(program=program, beneficiary_id_hash__in=repeated).order_by(
        "beneficiary_id_hash", "region_code"
    )


def roster_amount_mismatches(*, program: SubsidyProgram) -> QuerySet[SubsidyRoster]:
    """Roster lines of ``program`` whose amount differs from standard × quantity rounded to the fen.

    Compared in Python with Decimal (exact, unlike SQLite's float arithmetic); one programme is at most a
    few hundred thousand narrow rows.
    """
    lines = SubsidyRoster.objects.filter(program=program).values_list("pk", "amount", "basis_quantity")
    wrong = [
        pk
        for pk, amount, quantity in lines.iterator(chunk_size=5000)
        if amount != program.expected_amount(quantity)
    ]
    return SubsidyRoster.objects.filter(pk__in=wrong).order_by("region_code", "pk")


def roster_failed_payments(*, program: SubsidyProgram | None = None) -> QuerySet[SubsidyRoster]:
    """Lines whose payment failed or was returned by the bank (A11)."""
    rows = SubsidyRoster.objects.filter(status__in=(PaymentStatus.FAILED, PaymentStatus.RETURNED))
    return rows.filter(program=program) if program is not None else rows


def roster_paid_without_publicity(*, program: SubsidyProgram) -> QuerySet[SubsidyRoster]:
    """Paid lines with no publicity batch, or paid before the publicity ended (A11 "no publicity")."""
    from django.db.models import F, Q

    return SubsidyRoster.objects.filter(program=program, status=PaymentStatus.PAID).filter(
        Q(publicity__isnull=True) | Q(paid_on__lte=F("publicity__end_date"))
    )
