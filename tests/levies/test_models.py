"""Constraints and validators of 一事一议 record types, each with a valid and an invalid sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.levies.models import LevyAcceptance, LevyContribution, LevyExpense, LevyMeeting

from .conftest import make_project

pytestmark = pytest.mark.django_db


def _errors(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def _meeting(project, **overrides) -> LevyMeeting:
    values = dict(
        org=project.org,
        project=project,
        meeting_type="assembly",
        meeting_date=date(2030, 3, 10),
        eligible_count=600,
        attendees=400,
        votes_for=350,
        votes_against=30,
        votes_abstain=20,
    )
    values.update(overrides)
    return LevyMeeting(**values)


def _contribution(project, **overrides) -> LevyContribution:
    values = dict(org=project.org, project=project, contributor_name="张三", money_due=Decimal("15"))
    values.update(overrides)
    return LevyContribution(**values)


def test_project_amounts_may_not_be_negative(org):
    project = make_project(org)
    project.budget = Decimal("-1")
    assert "budget" in _errors(project)
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()


def test_project_with_a_money_standard_needs_contributors(org):
    project = make_project(org)
    project.contributors = 0
    assert "contributors" in _errors(project)


def test_project_number_is_unique_within_the_organisation(org, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_project(org)


def test_meeting_with_consistent_counts_is_valid(project):
    meeting = _meeting(project)
    meeting.full_clean()
    assert meeting.is_valid


def test_meeting_attendees_may_not_exceed_eligible(project):
    assert "attendees" in _errors(_meeting(project, attendees=601))
    with pytest.raises(IntegrityError), transaction.atomic():
        _meeting(project, attendees=601).save()


def test_meeting_votes_may_not_exceed_attendees(project):
    assert "votes_for" in _errors(
        _meeting(project, votes_for=351, votes_against=30, votes_abstain=20, attendees=400)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _meeting(project, votes_for=400, votes_against=1, votes_abstain=0).save()


def test_meeting_needs_a_positive_eligible_count(project):
    assert "eligible_count" in _errors(
        _meeting(project, eligible_count=0, attendees=0, votes_for=0, votes_against=0, votes_abstain=0)
    )


def test_meeting_under_quorum_is_stored_but_not_valid(project):
    meeting = _meeting(project, attendees=300, votes_for=290, votes_against=5, votes_abstain=5)
    meeting.full_clean()
    assert not meeting.is_valid


def test_meeting_refuses_a_project_of_another_organisation(project, other_org):
    assert "project" in _errors(_meeting(project, org=other_org))


def test_contribution_of_money_or_labour_is_valid(project):
    _contribution(project).full_clean()
    _contribution(project, money_due=Decimal("0"), labour_days_due=Decimal("5")).full_clean()
    _contribution(project, money_due=Decimal("0"), exemption_reason="现役军人").full_clean()


def test_a_person_is_not_asked_for_both_money_and_labour(project):
    assert "labour_days_due" in _errors(_contribution(project, labour_days_due=Decimal("5")))
    with pytest.raises(IntegrityError), transaction.atomic():
        _contribution(project, labour_days_due=Decimal("5")).save()


def test_an_exempted_person_owes_nothing(project):
    assert "exemption_reason" in _errors(_contribution(project, exemption_reason="在校学生"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _contribution(project, exemption_reason="在校学生").save()


def test_contribution_amounts_may_not_be_negative(project):
    assert "money_paid" in _errors(_contribution(project, money_paid=Decimal("-1")))


def test_contributor_is_listed_once_per_project(project):
    _contribution(project).save()
    assert "__all__" in _errors(_contribution(project))


def test_expense_amount_must_be_positive(project):
    expense = LevyExpense(
        org=project.org,
        project=project,
        expense_date=date(2030, 5, 1),
        item="材料费",
        amount=Decimal("0"),
        voucher_ref="记-0001",
    )
    assert "amount" in _errors(expense)
    expense.amount = Decimal("100")
    expense.full_clean()
    expense.amount = Decimal("-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        expense.save()


def test_acceptance_may_not_precede_completion(project):
    acceptance = LevyAcceptance(
        org=project.org,
        project=project,
        completion_date=date(2030, 9, 1),
        accepted_on=date(2030, 8, 31),
        result="passed",
        final_accounts=Decimal("198000"),
    )
    assert "accepted_on" in _errors(acceptance)
    with pytest.raises(IntegrityError), transaction.atomic():
        acceptance.save()
    acceptance.accepted_on = date(2030, 9, 1)
    acceptance.full_clean()
