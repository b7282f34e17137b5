"""应进必进 in the admin: "生成挂牌草稿" on contracts nearing expiry, idle resources and idle fixed assets.

The contracts and assets admins are generated in their own apps, which must not know about trading
(dependencies point inward). So the trading app extends them when its admin module is imported: each
registered admin is replaced by a subclass of itself that adds one bulk action. The subclass keeps
everything else (scope, masking, inlines, checks), and nothing in contracts/ or assets/ changes.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils import timezone

from backoffice.assets.choices import AssetNature, OperationMode, ResourceUse
from backoffice.assets.models import FixedAsset, Resource
from backoffice.contracts.choices import ContractStatus
from backoffice.contracts.models import Contract

from .closure import listing_from_asset, listing_from_contract, listing_from_resource
from .services import TradingError

#: a contract qualifies for re-listing when it ends within this many days (or has ended) [D: about two
#: announcement-and-bidding cycles before the A3 90-day reminder runs out]
RELIST_WINDOW_DAYS = 180
#: contract statuses that can be re-listed (a draft or a renewed contract cannot)
RELISTABLE = frozenset(
    {
        ContractStatus.EFFECTIVE,
        ContractStatus.PERFORMING,
        ContractStatus.EXPIRING,
        ContractStatus.EXPIRED,
        ContractStatus.SETTLED,
        ContractStatus.TERMINATED,
        ContractStatus.RESCINDED,
    }
)


def contract_problem(contract: Contract) -> str | None:
    if contract.status not in RELISTABLE:
        return f"合同{contract.contract_no}状态为“{contract.get_status_display()}”，不需要重新挂牌"
    limit = timezone.localdate() + timedelta(days=RELIST_WINDOW_DAYS)
    if contract.term_end > limit and contract.status not in (
        ContractStatus.TERMINATED,
        ContractStatus.RESCINDED,
    ):
        return (
            f"合同{contract.contract_no}于{contract.term_end:%Y-%m-%d}到期，距今超过{RELIST_WINDOW_DAYS}天，"
            "到期前半年内再生成挂牌草稿"
        )
    return None


def resource_problem(resource: Resource) -> str | None:
    if resource.use_mode != ResourceUse.IDLE:
        return f"资源“{resource}”的利用方式为“{resource.get_use_mode_display()}”，不是闲置资源"
    return None


def asset_problem(asset: FixedAsset) -> str | None:
    if asset.operation_mode != OperationMode.IDLE or asset.nature != AssetNature.OPERATING:
        return f"资产“{asset}”不是闲置的经营性资产"
    if asset.disposed_on:
        return f"资产“{asset}”已于{asset.disposed_on:%Y-%m-%d}处置"
    return None


def _draft_from(request, queryset, problem, make, source_name: str):
    created, errors = [], []
    for row in queryset:
        reason = problem(row)
        if reason:
            errors.append(reason)
            continue
        try:
            created.append(make(row, request.user))
        except TradingError as exc:
            errors.append(str(exc))
    for error in errors[:10]:
        messages.error(request, error)
    if len(errors) > 10:
        messages.error(request, f"另有{len(errors) - 10}条{source_name}未能生成挂牌草稿。")
    if len(created) == 1:
        listing = created[0]
        messages.success(
            request, f"已生成挂牌草稿{listing.listing_no}，请补充交易条件、上传民主决策决议后提交审核。"
        )
        return redirect("admin:trading_listing_change", listing.pk)
    if created:
        numbers = "、".join(x.listing_no for x in created[:10])
        messages.success(request, f"已生成{len(created)}个挂牌草稿：{numbers}，请逐个补充后提交审核。")
    return None


def draft_action(name: str, *, source_name: str, related: tuple[str, ...], problem, make):
    """The "生成挂牌草稿" bulk action of one source type. ``name`` is the action's name in the admin's
    POST (``action=draft_listing_from_contracts``); ``make(row, user)`` builds one draft listing."""

    @admin.action(description="生成挂牌草稿（应进必进）", permissions=["view"])
    def action(modeladmin, request, queryset):
        return _draft_from(request, queryset.select_related(*related), problem, make, source_name)

    action.__name__ = action.__qualname__ = name
    return action


draft_listing_from_contracts = draft_action(
    "draft_listing_from_contracts",
    source_name="合同",
    related=("org", "subject_resource", "subject_asset"),
    problem=contract_problem,
    make=lambda row, user: listing_from_contract(contract=row, user=user),
)
draft_listing_from_resources = draft_action(
    "draft_listing_from_resources",
    source_name="资源",
    related=("org",),
    problem=resource_problem,
    make=lambda row, user: listing_from_resource(resource=row, user=user),
)
draft_listing_from_assets = draft_action(
    "draft_listing_from_assets",
    source_name="资产",
    related=("org",),
    problem=asset_problem,
    make=lambda row, user: listing_from_asset(asset=row, user=user),
)


SOURCE_ACTIONS = (
    ("backoffice.contracts.admin", Contract, draft_listing_from_contracts),
    ("backoffice.assets.admin", Resource, draft_listing_from_resources),
    ("backoffice.assets.admin", FixedAsset, draft_listing_from_assets),
)


def extend_source_admins(site: admin.AdminSite) -> None:
    """Re-register the contract, resource and fixed-asset admins with the "生成挂牌草稿" action added
    (idempotent: an admin that already has it is left alone)."""
    for module, model, function in SOURCE_ACTIONS:
        import_module(module)  # its admin must be registered before it can be extended
        registered = site._registry.get(model)
        if registered is None:
            continue
        current = type(registered)
        if function in (current.actions or ()):
            continue
        extended = type(
            current.__name__,
            (current,),
            {"actions": (*(current.actions or ()), function), "__module__": current.__module__},
        )
        site.unregister(model)
        site.register(model, extended)
