"""Bulletins: reproducible for a past date, compared with the previous one, stored with their xlsx, and
produced by the scheduled task on bulletin days."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse

from reports.supervision.bulletins import build_bulletin_data, bulletin_day, bulletin_generate
from reports.supervision.tasks import SYSTEM_READER, generate_bulletins
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db

COUNTY_CODE = COUNTY.ljust(12, "0")
PAST = date(2025, 6, 30)  # before anything was entered


@pytest.fixture
def past_day(db) -> date:
    """A past day with vouchers of its year before it; organisations and vouchers are back-dated as if
    entered on 1 January of that year (everything else was entered today)."""
    from backoffice.accounting.models import Voucher
    from backoffice.regions.models import CollectiveOrg

    day = Voucher.objects.filter(voucher_date__lt=date.today()).order_by("-voucher_date").first().voucher_date
    assert Voucher.objects.filter(voucher_date__year=day.year, voucher_date__lte=day).exists()
    long_ago = datetime(day.year, 1, 1, tzinfo=UTC)
    CollectiveOrg.objects.update(created_at=long_ago)
    Voucher.objects.update(created_at=long_ago)
    return day


def test_a_past_bulletin_is_rebuilt_identically_after_later_changes(users, past_day):
    from backoffice.accounting.models import Voucher

    stored = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=past_day)
    accounting = stored.data["coverage"]["total"]["cells"]["accounting"]
    assert accounting["with_data"] > 0
    # Later work: every voucher still pending is approved today. The past day's bulletin must not move.
    Voucher.objects.exclude(review_status="approved").update(
        review_status="approved", reviewed_at=datetime.now(UTC)
    )
    rebuilt = build_bulletin_data(user=users["county_admin"], region_code=COUNTY_CODE, as_of=past_day)
    assert rebuilt == stored.data
    # and a second request for that day returns the stored bulletin, not a new one
    again = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=past_day)
    assert again.pk == stored.pk


def test_a_bulletin_compares_with_the_previous_one(users, past_day):
    earlier = past_day - timedelta(days=16)
    first = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=earlier)
    second = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=past_day)
    assert second.previous == first
    assert second.data["previous_as_of"] == earlier.isoformat()
    for item in second.data["ranking"]:
        old = next(r for r in first.data["ranking"] if r["code"] == item["code"])
        assert item["previous_rank"] == old["rank"]
        assert item["previous_score"] == old["score"]
        if item["score"] is not None and old["score"] is not None:
            assert item["change"] == round(item["score"] - old["score"], 2)


def test_a_bulletin_names_villages_with_no_data(users):
    bulletin = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=PAST)
    # on 2025-06-30 nothing had been entered by anyone: every village is named
    from backoffice.regions.models import CollectiveOrg

    villages = CollectiveOrg.objects.filter(
        region_code__startswith=COUNTY, created_at__lt=datetime(2025, 7, 1, tzinfo=UTC)
    )
    assert {n["org"] for n in bulletin.data["no_data"]} == {
        o.name for o in villages.exclude(region_code__endswith="000")
    }


def test_bulletin_page_opens_and_downloads_the_xlsx(client_for, users, past_day):
    bulletin = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=past_day)
    client = client_for("county_admin")
    listing = client.get(reverse("admin:supervision_bulletinpage_changelist")).content.decode()
    assert bulletin.title in listing
    detail = client.get(reverse("admin:supervision_bulletin_detail", args=[bulletin.pk]))
    assert detail.status_code == 200 and 'id="ranking"' in detail.content.decode()
    download = client.get(
        reverse("admin:supervision_bulletin_detail", args=[bulletin.pk]), {"export": "xlsx"}
    )
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames[0] == "排名"
    assert book["排名"]["A1"].value == bulletin.title


def test_township_user_cannot_open_the_county_bulletin(client_for, users):
    bulletin = bulletin_generate(user=users["county_admin"], region_code=COUNTY_CODE, as_of=PAST)
    url = reverse("admin:supervision_bulletin_detail", args=[bulletin.pk])
    assert client_for("township_reviewer").get(url).status_code == 404


def test_bulletin_for_a_region_outside_scope_is_refused(client_for):
    response = client_for("township_reviewer").post(
        reverse("admin:supervision_bulletinpage_changelist"), {"region": COUNTY_CODE, "as_of": "2025-06-30"}
    )
    from reports.supervision.models import Bulletin

    assert response.status_code == 200
    assert not Bulletin.objects.exists()


def test_the_task_makes_one_bulletin_per_level_on_bulletin_days():
    from reports.supervision.models import Bulletin

    assert bulletin_day(date(2025, 6, 15)) and bulletin_day(date(2025, 6, 30))
    assert bulletin_day(date(2025, 6, 16)) is None
    result = generate_bulletins("2025-06-30")
    levels = set(Bulletin.objects.values_list("region__level", flat=True))
    assert levels == {1, 2, 3, 4}
    assert result["bulletins"] == Bulletin.objects.count()
    # idempotent: a second run adds nothing
    generate_bulletins("2025-06-30")
    assert result["bulletins"] == Bulletin.objects.count()
    assert SYSTEM_READER.is_superuser
