"""The closure loop between trading and monitoring (DOMAIN.md §6.4 integration rule; seed: 应进必进).

- ``contract_from_deal``: an attested deal becomes the monitoring-side ``contracts.Contract`` (traded on
  the platform, project number, certificate number) with its receivable plan generated from the deal's
  price, term and the listing's payment mode, so fulfilment monitoring and the expiry alert (A3) pick it
  up. Idempotent: a second call returns the same contract (and refreshes the certificate number).
- ``listing_from_contract`` / ``listing_from_resource`` / ``listing_from_asset``: a contract nearing expiry
  or an idle resource or asset becomes a draft listing prefilled from its source, in one action. A
  source that already has a listing in progress gets no second one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from backoffice.assets.choices import AssetCategory, ResourceClass
from backoffice.assets.models import FixedAsset, Resource
from backoffice.contracts.choices import ContractStatus, ContractType, PartyKind, QuantityUnit
from backoffice.contracts.models import Contract
from backoffice.contracts.services import contract_create
from backoffice.contracts.terms import add_years, term_years_and_days
from backoffice.core.choices import ReviewStatus

from .choices import FINAL_STATES, BidderKind, PropertyType, TransferMode, TransferorKind
from .models import Certificate, Deal, Listing
from .services import TradingError, listing_attest, listing_create

#: ``source_system`` of monitoring contracts created from deals (with ``source_id`` = "deal-<pk>")
SOURCE_SYSTEM = "trading"
#: deposit proposed on a generated draft, as a share of the listing price [D: DOMAIN.md §6.6 leaves the
#: rate to the transferor; the clerk edits it]
DRAFT_DEPOSIT_RATE = Decimal("0.10")
CENT = Decimal("0.01")

TRANSFER_TO_CONTRACT = {
    TransferMode.LEASE: ContractType.LEASE,
    TransferMode.SUBCONTRACT: ContractType.CONTRACTING_OUT,
    TransferMode.CONTRACTING_OUT: ContractType.CONTRACTING_OUT,
    TransferMode.SHAREHOLDING: ContractType.SHAREHOLDING,
    TransferMode.TRANSFER: ContractType.TRANSFER,
    TransferMode.GRANT: ContractType.TRANSFER,
    TransferMode.COOPERATION: ContractType.COOPERATION,
    TransferMode.EXCHANGE: ContractType.OTHER,
}
CONTRACT_TO_TRANSFER = {
    ContractType.LEASE: TransferMode.LEASE,
    ContractType.CONTRACTING_OUT: TransferMode.CONTRACTING_OUT,
    ContractType.SHAREHOLDING: TransferMode.SHAREHOLDING,
    ContractType.TRANSFER: TransferMode.GRANT,
    ContractType.COOPERATION: TransferMode.COOPERATION,
}
RESOURCE_PROPERTY_TYPES = {
    ResourceClass.FOREST: PropertyType.T02,
    ResourceClass.WASTELAND: PropertyType.T03,
    ResourceClass.BUSINESS_CONSTRUCTION: PropertyType.T09,
}
ASSET_PROPERTY_TYPES = {
    AssetCategory.MACHINERY: PropertyType.T05,
    AssetCategory.WATER_FACILITY: PropertyType.T06,
    AssetCategory.INTANGIBLE: PropertyType.T07,
}


class ClosureError(TradingError):
    """The closure step cannot be done; the message (Chinese) says why and what to fix."""


# ---- deal → monitoring contract ------------------------------------------------------------------
@transaction.atomic
def listing_attest_and_close(
    *, listing: Listing, user, reason: str = "", institution: str = ""
) -> tuple[Certificate, Contract | None]:
    """出具鉴证书 and close the loop in one transaction: the certificate is issued and the monitoring
    contract created, or neither (a farmer's own asset gets the certificate only)."""
    certificate = listing_attest(listing=listing, user=user, reason=reason, institution=institution)
    if listing.transferor_kind != TransferorKind.COLLECTIVE:
        return certificate, None
    return certificate, contract_from_deal(deal=certificate.deal, user=user)


def deal_source_id(deal: Deal) -> str:
    return f"deal-{deal.pk}"


@transaction.atomic
def contract_from_deal(*, deal: Deal, user=None) -> Contract:
    """The monitoring contract of an attested ``deal``, created with its receivable plan on the first call.

    The deal must carry a term (start and end) and a positive price; the listing's transferor must be a
    collective organisation (a farmer's own asset is not a collective contract). Later calls return the
    same contract and bring its certificate number up to date.
    """
    deal = Deal.objects.select_for_update().select_related("listing", "registration").get(pk=deal.pk)
    listing = deal.listing
    certificate_no = _certificate_no(deal)
    existing = _existing_contract(deal)
    if existing is not None:
        if certificate_no and existing.certificate_no != certificate_no:
            Contract.objects.filter(pk=existing.pk).update(certificate_no=certificate_no)
            existing.certificate_no = certificate_no
        if deal.contract_id != existing.pk:
            Deal.objects.filter(pk=deal.pk).update(contract=existing)
        return existing
    if deal.is_void:
        raise ClosureError(f"项目{listing.listing_no}的成交记录已作废，不能生成合同")
    if listing.transferor_kind != TransferorKind.COLLECTIVE:
        raise ClosureError(f"项目{listing.listing_no}的出让方是农户，不属于集体“三资”合同，不生成监测合同")
    term_start = deal.term_start or listing.term_start
    term_end = deal.term_end or listing.term_end
    if not term_start or not term_end:
        raise ClosureError(f"项目{listing.listing_no}的成交记录缺少流转起止日期，请先在成交记录中填写")
    contract_no = deal.contract_no or f"{listing.listing_no}-HT"
    if Contract.objects.filter(org_id=listing.org_id, contract_no=contract_no).exists():
        raise ClosureError(
            f"本组织已有编号为{contract_no}的合同（不是由本项目生成的）；请核对成交记录中的合同编号"
        )
    subject_resource, subject_asset = _subject_of(listing)
    quantity = listing.area or listing.quantity or Decimal("0")
    unit = QuantityUnit.MU if listing.area else listing.unit
    now = timezone.now()
    fields: dict[str, Any] = {
        "org_id": listing.org_id,
        "contract_no": contract_no,
        "name": listing.title[:120],
        "contract_type": TRANSFER_TO_CONTRACT.get(listing.transfer_mode, ContractType.OTHER),
        "subject_resource": subject_resource,
        "subject_asset": subject_asset,
        "party_b_name": deal.registration.name,
        "party_b_kind": _party_kind(deal.registration),
        "party_b_id": deal.registration.id_no,
        "party_b_phone": deal.registration.phone,
        "quantity": quantity,
        "unit": unit,
        "unit_price": _unit_price(deal.price, quantity, term_start, term_end),
        "total_amount": deal.price,
        "payment_mode": listing.payment_mode,
        "escalation_note": listing.price_escalation[:200],
        "term_start": term_start,
        "term_end": term_end,
        "signed_on": deal.contract_signed_on,
        "decision_ref": listing.decision_ref[:200],
        "traded_on_platform": True,
        "trading_ref": listing.listing_no,
        "certificate_no": certificate_no,
        "status": ContractStatus.EFFECTIVE
        if term_start > timezone.localdate()
        else ContractStatus.PERFORMING,
        # Reviewed by the township and accepted by the county during trading: no second review.
        "review_status": ReviewStatus.APPROVED,
        "reviewed_by": user,
        "reviewed_at": now,
        "source_system": SOURCE_SYSTEM,
        "source_id": deal_source_id(deal),
    }
    contract = contract_create(user=user, **fields)
    Deal.objects.filter(pk=deal.pk).update(contract=contract)
    return contract


def _existing_contract(deal: Deal) -> Contract | None:
    if deal.contract_id:
        return Contract.objects.get(pk=deal.contract_id)
    return Contract.objects.filter(source_system=SOURCE_SYSTEM, source_id=deal_source_id(deal)).first()


def _certificate_no(deal: Deal) -> str:
    return Certificate.objects.filter(deal=deal).values_list("number", flat=True).first() or ""


def _subject_of(listing: Listing) -> tuple[Resource | None, FixedAsset | None]:
    if listing.source_resource_id or listing.source_asset_id:
        return listing.source_resource, listing.source_asset
    if listing.source_contract_id:
        source = listing.source_contract
        return source.subject_resource, source.subject_asset
    return None, None


def _party_kind(registration) -> str:
    if registration.kind == BidderKind.ORGANISATION:
        return PartyKind.ORGANISATION
    return PartyKind.MEMBER_HOUSEHOLD if registration.is_collective_member else PartyKind.INDIVIDUAL


def _unit_price(price: Decimal, quantity: Decimal, start, end) -> Decimal:
    """元 per unit and year, from the total price over the term (0 when there is no quantity)."""
    years, days = term_years_and_days(start, end)
    span = Decimal(years) + Decimal(days) / Decimal(365)
    if not quantity or span <= 0:
        return Decimal("0.00")
    return (Decimal(price) / Decimal(quantity) / span).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- 应进必进: a source becomes a draft listing -----------------------------------------------------
def listing_in_progress(**source: Any) -> Listing | None:
    """A listing of the same source that is not finished (not archived or terminated), if any."""
    return Listing.objects.filter(**source).exclude(state__in=FINAL_STATES).order_by("-pk").first()


@transaction.atomic
def listing_from_contract(*, contract: Contract, user=None) -> Listing:
    """A draft listing for re-letting the subject of ``contract`` (nearing expiry) from the day after it
    ends, for the same term length, with the old price as listing price and reserve (to be reviewed)."""
    existing = listing_in_progress(source_contract=contract)
    if existing is not None:
        raise ClosureError(
            f"合同{contract.contract_no}已有进行中的挂牌项目{existing.listing_no}，无需重复生成"
        )
    years, _days = term_years_and_days(contract.term_start, contract.term_end)
    years = max(years, 1)
    start = contract.term_end + timedelta(days=1)
    resource, asset = contract.subject_resource, contract.subject_asset
    fields = _subject_fields(resource, asset)
    fields.update(
        title=f"{_subject_name(resource, asset, contract)}流转（原合同{contract.contract_no}到期）"[:120],
        source_contract=contract,
        quantity=contract.quantity,
        unit=contract.unit,
        encumbrances=f"现有合同{contract.contract_no}于{contract.term_end:%Y年%m月%d日}到期",
        transfer_mode=CONTRACT_TO_TRANSFER.get(contract.contract_type, TransferMode.LEASE),
        term_years=years,
        term_start=start,
        term_end=add_years(start, years) - timedelta(days=1),
        listing_price=contract.total_amount,
        reserve_price=contract.total_amount,
        unit_price=contract.unit_price,
        price_escalation=contract.escalation_note,
        payment_mode=contract.payment_mode,
    )
    if resource is None and asset is None:
        fields.setdefault("location", contract.org.name)
    return _create_draft(org=contract.org, user=user, fields=fields)


@transaction.atomic
def listing_from_resource(*, resource: Resource, user=None, term_years: int = 5) -> Listing:
    """A draft listing for letting out an idle ``resource``; price from its annual income when known."""
    existing = listing_in_progress(source_resource=resource)
    if existing is not None:
        raise ClosureError(f"资源“{resource}”已有进行中的挂牌项目{existing.listing_no}，无需重复生成")
    fields = _subject_fields(resource, None)
    fields.update(
        title=f"{resource.name}（{resource.area}亩）{ResourceClass(resource.resource_class).label}流转"[:120],
        quantity=resource.area,
        unit=QuantityUnit.MU,
        **_default_terms(resource.annual_income, resource.area, term_years),
    )
    return _create_draft(org=resource.org, user=user, fields=fields)


@transaction.atomic
def listing_from_asset(*, asset: FixedAsset, user=None, term_years: int = 5) -> Listing:
    """A draft listing for letting out an idle operating ``asset``."""
    existing = listing_in_progress(source_asset=asset)
    if existing is not None:
        raise ClosureError(f"资产“{asset}”已有进行中的挂牌项目{existing.listing_no}，无需重复生成")
    fields = _subject_fields(None, asset)
    quantity = asset.building_area or Decimal("1")
    fields.update(
        title=f"{asset.name}出租"[:120],
        quantity=quantity,
        unit=QuantityUnit.SQUARE_METRE if asset.building_area else QuantityUnit.SET,
        **_default_terms(asset.annual_income, quantity, term_years),
    )
    return _create_draft(org=asset.org, user=user, fields=fields)


def _default_terms(annual: Decimal, quantity: Decimal, term_years: int) -> dict[str, Any]:
    start = timezone.localdate() + timedelta(days=60)  # announcement, bidding, contract: about two months
    total = (Decimal(annual or 0) * term_years).quantize(CENT)
    unit_price = (Decimal(annual) / Decimal(quantity)).quantize(CENT) if annual and quantity else Decimal(0)
    return {
        "transfer_mode": TransferMode.LEASE,
        "term_years": term_years,
        "term_start": start,
        "term_end": add_years(start, term_years) - timedelta(days=1),
        "listing_price": total,
        "reserve_price": total,
        "unit_price": unit_price,
    }


def _subject_name(resource, asset, contract=None) -> str:
    if resource is not None:
        return resource.name
    if asset is not None:
        return asset.name
    return contract.name or contract.contract_no if contract is not None else ""


def _subject_fields(resource: Resource | None, asset: FixedAsset | None) -> dict[str, Any]:
    """标的信息 of a listing copied from its resource or asset."""
    if resource is not None:
        return {
            "source_resource": resource,
            "property_type": RESOURCE_PROPERTY_TYPES.get(resource.resource_class, PropertyType.T10),
            "location": resource.location,
            "boundary_east": resource.boundary_east,
            "boundary_west": resource.boundary_west,
            "boundary_south": resource.boundary_south,
            "boundary_north": resource.boundary_north,
            "area": resource.area,
            "current_use": resource.get_use_mode_display(),
            "land_class": resource.get_resource_class_display(),
            "title_certificate_no": resource.certificate_no,
            "geometry": resource.geometry,
        }
    if asset is not None:
        return {
            "source_asset": asset,
            "property_type": ASSET_PROPERTY_TYPES.get(asset.category, PropertyType.T04),
            "location": asset.location or asset.org.name,
            "boundary_east": asset.boundary_east,
            "boundary_west": asset.boundary_west,
            "boundary_south": asset.boundary_south,
            "boundary_north": asset.boundary_north,
            "current_use": asset.get_operation_mode_display(),
        }
    return {"property_type": PropertyType.T10}


def _create_draft(*, org, user, fields: dict[str, Any]) -> Listing:
    """Create (through ``listing_create``: role, scope, validation, first event) a draft listing of
    ``org`` with the transferor (出让方信息) taken from the organisation."""
    return listing_create(
        user=user,
        org=org,
        transferor_kind=TransferorKind.COLLECTIVE,
        transferor_name=org.name,
        transferor_id=org.credit_code or "",
        transferor_legal_rep=getattr(org, "legal_rep_name", "") or "",
        deposit_amount=(Decimal(fields.get("listing_price") or 0) * DRAFT_DEPOSIT_RATE).quantize(CENT),
        **fields,
    )
