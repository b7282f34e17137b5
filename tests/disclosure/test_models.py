"""Constraints and validators of 财务公开: categories, channels, review before publication, periods,
evidence files and masking of published tables."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from backoffice.disclosure.choices import DisclosureCategory, DisclosureChannel, DisclosurePeriodType
from backoffice.disclosure.demo import PLACEHOLDER_PDF, PLACEHOLDER_PNG
from backoffice.disclosure.models import Disclosure, DisclosureFeedback, DisclosurePlan
from backoffice.disclosure.validators import (
    MAX_EVIDENCE_BYTES,
    period_end,
    validate_evidence_file_size,
    validate_evidence_file_type,
)

pytestmark = pytest.mark.django_db


def _disclosure(org, **overrides) -> Disclosure:
    values = dict(
        org=org,
        period_type=DisclosurePeriodType.MONTHLY,
        period="202409",
        categories=[DisclosureCategory.INCOME, DisclosureCategory.EXPENDITURE],
        reviewed_by_finance_group_on=date(2024, 10, 8),
        finance_group_members="王建国、李秀英、张志强",
        channels=[DisclosureChannel.NOTICE_BOARD],
        published_on=date(2024, 10, 10),
    )
    values.update(overrides)
    return Disclosure(**values)


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_reviewed_published_disclosure_with_known_codes_is_valid(org_a):
    _disclosure(org_a).full_clean()


def test_unknown_category_code_is_refused_with_the_allowed_list(org_a):
    errors = _errors(_disclosure(org_a, categories=["income", "salaries"]))
    assert "salaries" in errors["categories"][0] and "财务计划" in errors["categories"][0]


def test_categories_must_be_a_non_empty_list_without_repeats(org_a):
    assert "categories" in _errors(_disclosure(org_a, categories=[]))
    assert "categories" in _errors(_disclosure(org_a, categories="income"))
    assert "重复" in _errors(_disclosure(org_a, categories=["income", "income"]))["categories"][0]


def test_every_one_of_the_eight_categories_is_accepted(org_a):
    _disclosure(org_a, categories=list(DisclosureCategory.values)).full_clean()
    assert len(DisclosureCategory.values) == 8


def test_unknown_channel_is_refused_and_a_published_disclosure_needs_one(org_a):
    assert "wechat" in _errors(_disclosure(org_a, channels=["wechat"]))["channels"][0]
    assert "channels" in _errors(_disclosure(org_a, channels=[]))
    _disclosure(org_a, channels=[], published_on=None).full_clean()


def test_publication_needs_the_finance_group_review_first(org_a):
    errors = _errors(_disclosure(org_a, reviewed_by_finance_group_on=None))
    assert "民主理财小组" in errors["reviewed_by_finance_group_on"][0]
    errors = _errors(_disclosure(org_a, published_on=date(2024, 10, 1)))
    assert "published_on" in errors


def test_database_refuses_publication_before_review(org_a):
    with transaction.atomic(), pytest.raises(IntegrityError):
        _disclosure(org_a, published_on=date(2024, 10, 1)).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        _disclosure(org_a, period="202408", reviewed_by_finance_group_on=None).save()
    _disclosure(org_a, period="202407", published_on=date(2024, 10, 8)).save()  # same day is fine


def test_period_labels_follow_the_period_type(org_a):
    assert (
        "2025Q3"
        in _errors(_disclosure(org_a, period_type=DisclosurePeriodType.QUARTERLY, period="2025-3"))["period"][
            0
        ]
    )
    assert "period" in _errors(_disclosure(org_a, period="202413"))
    _disclosure(org_a, period_type=DisclosurePeriodType.SPECIAL, period="2024-征地补偿").full_clean()
    assert period_end(DisclosurePeriodType.QUARTERLY, "2024Q1") == date(2024, 3, 31)
    assert period_end(DisclosurePeriodType.MONTHLY, "202402") == date(2024, 2, 29)


def test_plan_period_is_validated_and_unique_per_org(org_a):
    with pytest.raises(ValidationError):
        DisclosurePlan(
            org=org_a,
            period_type=DisclosurePeriodType.QUARTERLY,
            period="2024Q5",
            due_date=date(2024, 12, 31),
        ).full_clean()
    existing = DisclosurePlan.objects.filter(org=org_a).first()
    duplicate = DisclosurePlan(
        org=org_a, period_type=existing.period_type, period=existing.period, due_date=existing.due_date
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        duplicate.save()


def test_plan_of_another_period_cannot_be_linked(org_a):
    plan = DisclosurePlan.objects.filter(org=org_a, period="2024Q1").get()
    assert "plan" in _errors(_disclosure(org_a, plan=plan))


def test_published_tables_must_not_contain_unmasked_ids_or_accounts(org_a):
    leaking = {"subsidies": [{"name": "王*", "id": "140121198001011234"}]}
    assert "subsidies[0].id" in _errors(_disclosure(org_a, items=leaking))["items"][0]
    account = {"dividends": [{"account": "6217000012345678901"}]}
    assert "items" in _errors(_disclosure(org_a, items=account))
    masked = {"subsidies": [{"name": "王*", "id": "140***********1234", "amount": "1250.00"}]}
    _disclosure(org_a, items=masked).full_clean()


def test_feedback_can_only_close_with_a_response(org_a):
    disclosure = Disclosure.objects.filter(org=org_a, published_on__isnull=False).first()
    feedback = DisclosureFeedback(
        org=org_a,
        disclosure=disclosure,
        feedback_no="T-1",
        content="请公开明细",
        raised_on=date(2024, 5, 1),
        closed_on=date(2024, 5, 3),
    )
    assert "response" in _errors(feedback)
    with transaction.atomic(), pytest.raises(IntegrityError):
        feedback.save()
    feedback.response = "已补充公开"
    feedback.full_clean()
    feedback.save()


def test_feedback_on_another_orgs_disclosure_is_refused(org_a, org_b):
    foreign = Disclosure.objects.filter(org=org_b).first()
    feedback = DisclosureFeedback(
        org=org_a, disclosure=foreign, feedback_no="T-2", content="?", raised_on=date(2024, 5, 1)
    )
    assert "disclosure" in _errors(feedback)


class TestEvidenceFile:
    def test_png_jpg_and_pdf_with_matching_content_pass(self):
        validate_evidence_file_type(SimpleUploadedFile("board.png", PLACEHOLDER_PNG))
        validate_evidence_file_type(SimpleUploadedFile("scan.PDF", PLACEHOLDER_PDF))
        validate_evidence_file_type(SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20))

    def test_other_extensions_are_refused(self):
        for name in ("notes.docx", "run.exe", "noextension"):
            with pytest.raises(ValidationError, match="只能上传"):
                validate_evidence_file_type(SimpleUploadedFile(name, b"data"))

    def test_a_renamed_file_whose_content_does_not_match_is_refused(self):
        with pytest.raises(ValidationError, match="不是有效的 JPG"):
            validate_evidence_file_type(SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 executable"))

    def test_size_limit_is_ten_megabytes(self):
        validate_evidence_file_size(SimpleUploadedFile("ok.pdf", b"%PDF-" + b"0" * (MAX_EVIDENCE_BYTES - 5)))
        with pytest.raises(ValidationError, match="10 MB"):
            validate_evidence_file_size(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES))

    def test_the_model_field_runs_both_validators(self, org_a):
        disclosure = _disclosure(org_a, evidence_photo=SimpleUploadedFile("board.gif", b"GIF89a"))
        assert "evidence_photo" in _errors(disclosure)
