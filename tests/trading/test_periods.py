"""Working-day periods (DOMAIN.md §6.6): holidays skipped, make-up workdays counted (2025 National Day:
1–8 October off; Sunday 28 September and Saturday 11 October worked)."""

from __future__ import annotations

from datetime import date

import pytest

from backoffice.trading.choices import ListingState as S
from backoffice.trading.services.periods import (
    is_working_day,
    next_working_day,
    period_end,
    working_days_between,
)
from tests.trading import factories as f


def test_the_2025_national_day_holidays_are_not_working_days_and_the_make_up_days_are():
    assert not is_working_day(date(2025, 10, 1))
    assert not is_working_day(date(2025, 10, 8))  # Wednesday, but part of the holiday
    assert is_working_day(date(2025, 9, 28))  # Sunday make-up workday
    assert is_working_day(date(2025, 10, 11))  # Saturday make-up workday
    assert not is_working_day(date(2025, 10, 12))


def test_a_period_across_national_day_skips_the_holiday_and_counts_the_make_up_saturday():
    # Fri 26 Sep (1), Sun 28 (2, make-up), Mon 29 (3), Tue 30 (4), holiday 1–8 Oct, Thu 9 (5), Fri 10 (6),
    # Sat 11 (7, make-up), Mon 13 (8), Tue 14 (9), Wed 15 (10)
    assert period_end(date(2025, 9, 26), 10) == date(2025, 10, 15)
    assert period_end(date(2025, 9, 26), 7) == date(2025, 10, 11)
    # a plain week without holidays: Mon + 4 working days = Fri
    assert period_end(date(2025, 11, 3), 5) == date(2025, 11, 7)


def test_a_period_starting_on_a_holiday_begins_on_the_next_working_day():
    assert period_end(date(2025, 10, 3), 1) == date(2025, 10, 9)
    assert next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)


def test_counting_working_days_between_dates_includes_make_up_days():
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 15)) == 10
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 1)) == 0


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday():
    assert is_working_day(date(2099, 1, 2))  # a Friday
    assert not is_working_day(date(2099, 1, 3))  # a Saturday
    assert period_end(date(2099, 1, 2), 2) == date(2099, 1, 5)


def test_a_period_needs_at_least_one_working_day():
    with pytest.raises(ValueError):
        period_end(date(2025, 10, 9), 0)


@pytest.mark.django_db
def test_an_announcement_published_before_national_day_ends_after_it_and_registration_closes_then(
    org_a, users
):
    from datetime import datetime

    from django.utils import timezone

    from backoffice.trading.services import listing_close_announcement, registration_open

    listing = f.announced(org_a, users, start=date(2025, 9, 26))
    assert (listing.announcement_start, listing.announcement_end) == (date(2025, 9, 26), date(2025, 10, 15))
    on_holiday = timezone.make_aware(datetime(2025, 10, 5, 10))
    last_day = timezone.make_aware(datetime(2025, 10, 15, 17))
    next_day = timezone.make_aware(datetime(2025, 10, 16, 0, 1))
    assert registration_open(listing, on_holiday) and registration_open(listing, last_day)
    assert not registration_open(listing, next_day)
    listing_close_announcement(listing=listing, as_of=next_day)
    assert listing.state == S.ELIGIBILITY


@pytest.mark.django_db
def test_result_publicity_lasts_five_working_days(org_a, users):
    from backoffice.trading.services import listing_publish_result

    listing = f.drive(org_a, users, S.DEAL)
    listing_publish_result(listing=listing, user=users["trading_officer"], start=date(2025, 9, 29))
    # Mon 29 Sep (1), Tue 30 (2), holiday, Thu 9 Oct (3), Fri 10 (4), Sat 11 make-up (5)
    assert listing.publicity_end == date(2025, 10, 11)
