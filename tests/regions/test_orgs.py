"""Collective organisations: credit-code rules and no creation or move outside scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backoffice.regions.models import CollectiveOrg
from backoffice.regions.validators import credit_code_check_char
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def _code(level: str, region: str, body: str = "MA0K9Y123") -> str:
    first17 = f"N{level[1]}{region[:6]}{body}"
    return first17 + credit_code_check_char(first17)


def test_registered_org_needs_a_credit_code_matching_its_level():
    village = CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A, org_level="N2").first()
    org = CollectiveOrg(name="测试社", org_level="N2", region_id=village.region_id, credit_code=None)
    with pytest.raises(ValidationError, match="必须填写统一社会信用代码"):
        org.full_clean()
    org.credit_code = _code("N3", village.region_id)
    with pytest.raises(ValidationError, match="与组织级别N2不符"):
        org.full_clean()
    org.credit_code = _code("N2", village.region_id)[:17] + "0"
    with pytest.raises(ValidationError, match="校验位错误"):
        org.full_clean()


def _add_form(region_code: str) -> dict:
    return {
        "name": "新合作社",
        "credit_code": _code("N2", region_code, "XY0000001"),
        "org_level": "N2",
        "region": region_code,
        "legal_rep_name": "王建国",
        "legal_rep_id_no": "",
        "status": "active",
    }


def test_township_bookkeeper_cannot_create_an_org_in_the_neighbour_township(client_for):
    neighbour_village = CollectiveOrg.objects.filter(
        region_code__startswith=TOWNSHIP_B, org_level="N2"
    ).first()
    response = client_for("village_bookkeeper").post(
        reverse("admin:regions_collectiveorg_add"), _add_form(neighbour_village.region_id)
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "选择一个有效的选项" in response.content.decode() or "不在" in response.content.decode()
    assert not CollectiveOrg.objects.filter(name="新合作社").exists()


def test_township_reviewer_can_create_inside_their_township(client_for):
    own_village = CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A, org_level="N2").first()
    client = client_for("township_reviewer")
    response = client.post(reverse("admin:regions_collectiveorg_add"), _add_form(own_village.region_id))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = CollectiveOrg.objects.get(name="新合作社")
    assert created.region_code == own_village.region_id and created.created_by.username == "township_reviewer"


def test_moving_an_org_out_of_scope_is_refused(client_for):
    org = CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A, org_level="N2").first()
    neighbour = CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_B, org_level="N2").first()
    data = _add_form(neighbour.region_id) | {"name": org.name, "credit_code": org.credit_code}
    response = client_for("township_reviewer").post(
        reverse("admin:regions_collectiveorg_change", args=[org.pk]), data
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.region_code.startswith(TOWNSHIP_A)
