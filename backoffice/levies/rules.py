"""Fixed numbers of 一事一议 (DOMAIN.md §2.5, §4.2 A10): raising caps and meeting fractions.

Caps: historical provincial examples are ≤ 15 元 per person per year and ≤ 10 standard labour-days per
labourer per year [L]; Shanxi's current caps were not found [V] (DOMAIN.md Appendix C item 5).
Meeting fractions: villagers' assembly — more than half of the eligible villagers attend and more than
half of the attendees vote for [M, 村民委员会组织法]; representatives' meeting — at least 4/5 of the
representatives attend and at least 2/3 of all representatives vote for (one provincial rule) [L, V for
Shanxi]. Change the constants here once the Shanxi text is confirmed.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .choices import MeetingType

MONEY_CAP_PER_PERSON_YEAR = Decimal("15.00")  # 元/人·年 [L/V]
LABOUR_CAP_PER_LABOURER_YEAR = Decimal("10")  # 标准工日/劳力·年 [L/V]

ASSEMBLY_QUORUM = Fraction(1, 2)  # attendees > 1/2 of eligible [M]
ASSEMBLY_MAJORITY = Fraction(1, 2)  # votes for > 1/2 of attendees [M]
REPRESENTATIVES_QUORUM = Fraction(4, 5)  # attendees >= 4/5 of representatives [L/V]
REPRESENTATIVES_MAJORITY = Fraction(2, 3)  # votes for >= 2/3 of all representatives [L/V]


def meeting_is_valid(*, meeting_type: str, eligible_count: int, attendees: int, votes_for: int) -> bool:
    """Whether a meeting's attendance and vote adopt the project (exact integer arithmetic, no floats)."""
    if eligible_count <= 0 or attendees <= 0 or attendees > eligible_count or votes_for > attendees:
        return False
    if meeting_type == MeetingType.ASSEMBLY:
        quorum = attendees * ASSEMBLY_QUORUM.denominator > eligible_count * ASSEMBLY_QUORUM.numerator
        adopted = votes_for * ASSEMBLY_MAJORITY.denominator > attendees * ASSEMBLY_MAJORITY.numerator
        return quorum and adopted
    if meeting_type == MeetingType.REPRESENTATIVES:
        quorum = (
            attendees * REPRESENTATIVES_QUORUM.denominator
            >= eligible_count * REPRESENTATIVES_QUORUM.numerator
        )
        adopted = (
            votes_for * REPRESENTATIVES_MAJORITY.denominator
            >= eligible_count * REPRESENTATIVES_MAJORITY.numerator
        )
        return quorum and adopted
    return False
