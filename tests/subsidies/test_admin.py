"""Personal data on the roster is masked in the changelist for scoped users (DOMAIN.md §8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.core.pii import SensitiveKind, mask
from backoffice.subsidies.models import SubsidyRoster
from tests.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["township_reviewer", "village_bookkeeper", "county_admin"])
def test_roster_changelist_masks_ids_and_one_card_accounts(client_for, users, username):
    user = users[username]
    line = SubsidyRoster.objects.visible_to(user).filter(region_code__startswith=TOWNSHIP_A).first()
    html = (
        client_for(username)
        .get(reverse("admin:subsidies_subsidyroster_changelist"), {"q": line.beneficiary_name})
        .content.decode()
    )
    assert line.beneficiary_name in html
    assert line.beneficiary_id not in html and line.one_card_account not in html
    assert mask(line.beneficiary_id, SensitiveKind.RESIDENT_ID) in html
    assert mask(line.one_card_account, SensitiveKind.BANK_ACCOUNT) in html


def test_roster_can_be_searched_by_full_id_number_and_lists_it_masked(client_for, users):
    line = SubsidyRoster.objects.visible_to(users["township_reviewer"]).first()
    response = client_for("township_reviewer").get(
        reverse("admin:subsidies_subsidyroster_changelist"), {"q": line.beneficiary_id}
    )
    assert line.pk in {row.pk for row in response.context["cl"].result_list}
    assert mask(line.beneficiary_id, SensitiveKind.RESIDENT_ID) in response.content.decode()
