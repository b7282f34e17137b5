"""The supervision parameter forms refuse days outside the data scope with a Chinese message naming the
field (通报截止日期 / 截止日期), and offer only regions in the user's scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.supervision.forms import BulletinGenerateForm, WeeklyParamsForm
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("form_class", "label"), [(BulletinGenerateForm, "通报截止日期"), (WeeklyParamsForm, "截止日期")]
)
def test_a_future_day_or_one_before_2022_is_refused_with_the_fields_name(form_class, label, users):
    user = users["township_reviewer"]
    region = TOWNSHIP_A + "000"
    tomorrow = form_class({"region": region, "as_of": date.today() + timedelta(days=1)}, user=user)
    assert not tomorrow.is_valid()
    assert tomorrow.errors["as_of"] == [f"{label}不能晚于今天。"]
    early = form_class({"region": region, "as_of": "2021-12-31"}, user=user)
    assert not early.is_valid() and "2022年1月1日" in early.errors["as_of"][0]
    assert form_class({"region": region, "as_of": date.today()}, user=user).is_valid()


def test_regions_outside_the_users_scope_are_not_offered(users):
    # a typed out-of-scope code passes the form and gets the page's refusal (tests/supervision/test_pages)
    offered = dict(WeeklyParamsForm(user=users["township_reviewer"]).fields["region"].choices)
    assert TOWNSHIP_A + "000" in offered
    assert "140121101000" not in offered and "140121000000" not in offered
