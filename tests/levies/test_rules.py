"""Meeting validity at the boundaries of the quorum and majority fractions."""

from __future__ import annotations

import pytest

from backoffice.levies import rules
from backoffice.levies.rules import meeting_is_valid


@pytest.mark.parametrize(
    ("eligible", "attendees", "votes_for", "valid"),
    [
        (100, 51, 26, True),  # just over half attend, just over half of them for
        (100, 50, 50, False),  # exactly half attend: no quorum
        (100, 51, 25, False),  # 25 of 51 is not a majority
        (101, 51, 26, True),  # 51 of 101 > 1/2
        (100, 100, 51, True),
        (100, 0, 0, False),
    ],
)
def test_villagers_assembly_needs_more_than_half_present_and_more_than_half_of_them_for(
    eligible, attendees, votes_for, valid
):
    assert (
        meeting_is_valid(
            meeting_type="assembly", eligible_count=eligible, attendees=attendees, votes_for=votes_for
        )
        is valid
    )


@pytest.mark.parametrize(
    ("eligible", "attendees", "votes_for", "valid"),
    [
        (30, 24, 20, True),  # exactly 4/5 present, exactly 2/3 of all for
        (30, 23, 23, False),  # under 4/5 present
        (30, 24, 19, False),  # under 2/3 of all representatives for, though most of those present
        (31, 25, 21, True),  # 25/31 ≥ 4/5 (24.8), 21/31 ≥ 2/3 (20.67)
        (31, 24, 24, False),  # 24 < 24.8
        (31, 25, 20, False),  # 20 < 20.67
    ],
)
def test_representatives_meeting_needs_four_fifths_present_and_two_thirds_of_all_for(
    eligible, attendees, votes_for, valid
):
    assert (
        meeting_is_valid(
            meeting_type="representatives", eligible_count=eligible, attendees=attendees, votes_for=votes_for
        )
        is valid
    )


def test_impossible_counts_are_never_valid():
    assert not meeting_is_valid(meeting_type="assembly", eligible_count=0, attendees=0, votes_for=0)
    assert not meeting_is_valid(meeting_type="assembly", eligible_count=10, attendees=11, votes_for=11)
    assert not meeting_is_valid(meeting_type="assembly", eligible_count=10, attendees=8, votes_for=9)
    assert not meeting_is_valid(meeting_type="other", eligible_count=10, attendees=10, votes_for=10)


def test_fractions_and_caps_are_module_constants():
    assert (rules.Fraction(1, 2), rules.Fraction(1, 2)) == (rules.ASSEMBLY_QUORUM, rules.ASSEMBLY_MAJORITY)
    assert (
        rules.Fraction(4, 5),
        rules.Fraction(2, 3),
    ) == (rules.REPRESENTATIVES_QUORUM, rules.REPRESENTATIVES_MAJORITY)
    assert (rules.MONEY_CAP_PER_PERSON_YEAR, rules.LABOUR_CAP_PER_LABOURER_YEAR) == (15, 10)
