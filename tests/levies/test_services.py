"""The 一事一议 status flow and the raising-cap check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.levies.models import LevyAcceptance, LevyMeeting
from backoffice.levies.services import levy_over_cap, levy_project_transition

from .conftest import make_project

pytestmark = pytest.mark.django_db


def _meet(project, *, attendees=400, votes_for=350, meeting_date=date(2030, 3, 10)) -> LevyMeeting:
    return LevyMeeting.objects.create(
        org=project.org,
        project=project,
        meeting_type="assembly",
        meeting_date=meeting_date,
        eligible_count=600,
        attendees=attendees,
        votes_for=votes_for,
    )


def _walk(project, user, *statuses):
    for status in statuses:
        project = levy_project_transition(project=project, to_status=status, user=user)
    return project


def test_a_project_walks_the_whole_flow_with_a_valid_meeting_and_acceptance(project, users):
    user = users["township_reviewer"]
    _meet(project)
    project = _walk(
        project, user, "township_reviewed", "county_filed", "published", "implementing", "completed"
    )
    LevyAcceptance.objects.create(
        org=project.org,
        project=project,
        completion_date=date(2030, 9, 1),
        accepted_on=date(2030, 9, 5),
        result="passed",
        final_accounts=Decimal("199000"),
    )
    project = _walk(project, user, "accepted")
    project.refresh_from_db()
    assert project.status == "accepted" and project.updated_by == user


def test_publishing_without_a_meeting_is_refused(project, users):
    project = _walk(project, users["township_reviewer"], "township_reviewed", "county_filed")
    with pytest.raises(ValidationError) as caught:
        levy_project_transition(project=project, to_status="published", user=users["township_reviewer"])
    assert "有效" in str(caught.value)
    project.refresh_from_db()
    assert project.status == "county_filed"


def test_publishing_with_only_an_invalid_meeting_is_refused_and_a_valid_one_allows_it(project, users):
    user = users["township_reviewer"]
    project = _walk(project, user, "township_reviewed", "county_filed")
    _meet(project, attendees=300, votes_for=300)  # exactly half the villagers: no quorum
    with pytest.raises(ValidationError):
        levy_project_transition(project=project, to_status="published", user=user)
    _meet(project, attendees=301, votes_for=151, meeting_date=date(2030, 3, 20))
    assert levy_project_transition(project=project, to_status="published", user=user).status == "published"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "county_filed"),  # skipping the township review
        ((), "published"),
        (("township_reviewed",), "proposed"),  # going back
    ],
)
def test_steps_outside_the_flow_are_refused(project, users, path, target):
    user = users["township_reviewer"]
    _meet(project)
    project = _walk(project, user, *path)
    with pytest.raises(ValidationError) as caught:
        levy_project_transition(project=project, to_status=target, user=user)
    assert "不能直接变为" in str(caught.value)


def test_a_project_can_be_cancelled_before_but_not_after_work_starts(org, users):
    user = users["township_reviewer"]
    early = make_project(org, project_no="T-C1")
    assert levy_project_transition(project=early, to_status="cancelled", user=user).status == "cancelled"
    with pytest.raises(ValidationError):
        levy_project_transition(project=early, to_status="proposed", user=user)
    started = make_project(org, project_no="T-C2")
    _meet(started)
    started = _walk(started, user, "township_reviewed", "county_filed", "published", "implementing")
    with pytest.raises(ValidationError):
        levy_project_transition(project=started, to_status="cancelled", user=user)


def test_accepting_without_a_passed_acceptance_is_refused(project, users):
    user = users["township_reviewer"]
    _meet(project)
    project = _walk(
        project, user, "township_reviewed", "county_filed", "published", "implementing", "completed"
    )
    with pytest.raises(ValidationError):
        levy_project_transition(project=project, to_status="accepted", user=user)
    LevyAcceptance.objects.create(
        org=project.org,
        project=project,
        completion_date=date(2030, 9, 1),
        accepted_on=date(2030, 9, 5),
        result="failed",
        final_accounts=Decimal("1"),
    )
    with pytest.raises(ValidationError):
        levy_project_transition(project=project, to_status="accepted", user=user)


def test_a_user_outside_the_project_scope_cannot_move_it(other_org, users):
    foreign = make_project(other_org, project_no="T-F1")
    with pytest.raises(ValidationError) as caught:
        levy_project_transition(
            project=foreign, to_status="township_reviewed", user=users["township_reviewer"]
        )
    assert "管辖范围" in str(caught.value)
    assert (
        levy_project_transition(
            project=foreign, to_status="township_reviewed", user=users["county_admin"]
        ).status
        == "township_reviewed"
    )


def test_unknown_status_is_refused(project, users):
    with pytest.raises(ValidationError):
        levy_project_transition(project=project, to_status="approved", user=users["township_reviewer"])


@pytest.mark.parametrize(
    ("money", "labour", "over"),
    [
        ("15.00", "0", False),
        ("15.01", "0", True),
        ("0", "10", False),
        ("0", "10.5", True),
        ("0", "0", False),
    ],
)
def test_cap_check_compares_the_standards_with_the_yearly_caps(org, money, labour, over):
    project = make_project(org, money_standard=Decimal(money), labour_standard=Decimal(labour), labourers=100)
    assert levy_over_cap(project=project) is over


def test_cap_check_adds_the_other_projects_of_the_same_year_but_not_cancelled_ones(org):
    first = make_project(org, project_no="T-Y1", money_standard=Decimal("10"))
    second = make_project(org, project_no="T-Y2", money_standard=Decimal("6"))
    assert levy_over_cap(project=first) and levy_over_cap(project=second)
    second.status = "cancelled"
    second.save()
    assert not levy_over_cap(project=first)
    next_year = make_project(
        org, project_no="T-Y3", money_standard=Decimal("10"), proposed_on=date(2031, 1, 5)
    )
    assert not levy_over_cap(project=next_year)


def test_admin_action_advances_a_project_and_reports_a_refusal(project, client_for):
    from django.urls import reverse

    client = client_for("township_reviewer")
    url = reverse("admin:levies_levyproject_changelist")
    for _ in range(2):
        client.post(url, {"action": "advance_selected", "_selected_action": [project.pk]})
    project.refresh_from_db()
    assert project.status == "county_filed"
    response = client.post(url, {"action": "advance_selected", "_selected_action": [project.pk]}, follow=True)
    project.refresh_from_db()
    assert project.status == "county_filed"
    assert "不能公示" in response.content.decode()
