"""The 挂牌项目 admin: field groups, the process records as inlines (admin_inlines.py), and the process
buttons (one Unfold detail action per step, shown only when ``services.allowed_transitions`` lets the
user take it now)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.decorators import action

from backoffice.core.record_admin import RecordAdmin
from backoffice.core.scope import code_in_scope

from . import services
from .admin_forms import TRANSITION_FORMS, BidForm, ReasonForm, SettlementForm
from .admin_inlines import (
    AttachmentInline,
    BidInline,
    CertificateInline,
    DealInline,
    EventInline,
    RegistrationInline,
)
from .choices import ListingState
from .models import Listing, ListingAttachment
from .services.access import Actor, holds

# ---- the listing admin ----------------------------------------------------------------------------

LISTING_FIELDSETS = (
    (
        "项目",
        {"fields": ("listing_no", "title", "property_type", "trading_institution", "org", "state", "round")},
    ),
    (
        "标的信息",
        {
            "fields": (
                "location",
                ("boundary_east", "boundary_west"),
                ("boundary_south", "boundary_north"),
                ("area", "quantity", "unit"),
                ("current_use", "land_class"),
                "title_certificate_no",
                "encumbrances",
                "ancillary_facilities",
                "appraisal_value",
                ("source_resource", "source_asset", "source_contract"),
            )
        },
    ),
    (
        "出让方信息",
        {
            "fields": (
                "transferor_kind",
                "transferor_name",
                "transferor_id",
                ("transferor_legal_rep", "transferor_contact"),
                "transferor_phone",
                "transferor_bank_account",
                "masked_personal_data",
                "decision_ref",
                "township_opinion",
                "county_opinion",
            )
        },
    ),
    (
        "流转交易条件",
        {
            "fields": (
                "transfer_mode",
                ("term_years", "term_start", "term_end"),
                ("listing_price", "reserve_price", "unit_price"),
                "price_escalation",
                ("payment_mode", "payment_note"),
                "deposit_amount",
                "transferee_qualifications",
                "use_restrictions",
                ("priority_right", "joint_bidding_allowed"),
                "trading_method",
                ("bid_increment", "free_quote_minutes", "timed_quote_minutes", "extension_minutes"),
                ("announcement_days", "publicity_days"),
            )
        },
    ),
    ("其他信息", {"fields": ("risk_notes", "special_matters", "site_visit", "institution_contact")}),
    (
        "期限",
        {
            "fields": (
                ("announcement_start", "announcement_end"),
                ("bidding_starts_at", "free_quote_ends_at", "bidding_ends_at"),
                ("publicity_start", "publicity_end"),
            )
        },
    ),
)
PROCESS_READONLY = ("township_opinion", "county_opinion", "free_quote_ends_at", "state_changed_at")

#: process buttons in display order; steps that are not transitions of the state machine are ``bid``
#: (代录报价), ``settle`` (登记价款结清) and ``print`` (打印鉴证书)
MAIN_STEPS = (
    "submit",
    "town_approve",
    "town_reject",
    "county_approve",
    "county_reject",
    "change",
    "close_announcement",
    "conclude_eligibility",
    "bid",
    "close_bidding",
    "negotiation_deal",
    "negotiation_fail",
    "relist",
    "publish_result",
    "close_publicity",
    "sign_contract",
    "settle",
    "attest",
    "print",
    "archive",
)
EXCEPTION_STEPS = ("suspend", "resume", "terminate")
EXTRA_LABELS = {"bid": "代录报价", "settle": "登记价款结清", "print": "打印鉴证书"}


def step_label(step: str) -> str:
    return EXTRA_LABELS.get(step) or services.TRANSITIONS[step].label


class ListingAdminBase(RecordAdmin):
    """Base of the generated 挂牌项目 admin: process buttons, fields editable only in draft."""

    actions_list = ()
    actions_detail = ()  # filled below with one generated action per process step
    fieldsets = LISTING_FIELDSETS
    inlines = [AttachmentInline, EventInline, RegistrationInline, BidInline, DealInline, CertificateInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The state machine is the review of a listing: the generic review actions would bypass it.
        for name in ("submit_selected", "approve_selected", "return_selected"):
            actions.pop(name, None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in PROCESS_READONLY if f not in fields]

    def has_change_permission(self, request, obj=None):
        # Published facts change only through "变更公告"; a listing is edited while it is a draft.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.state == ListingState.DRAFT
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None
            or (obj.state == ListingState.DRAFT and not obj.events.exclude(action="create").exists())
        )

    def save_model(self, request: HttpRequest, obj: Listing, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new listing is created by the service (role, scope, validation, first process event).
        fields = {
            f.attname: getattr(obj, f.attname)
            for f in Listing._meta.concrete_fields
            if f.editable and not f.primary_key and not f.name.endswith("_hash")
        }
        try:
            created = services.listing_create(user=request.user, **fields)
        except services.TradingError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk, obj.listing_no, obj.region_code = created.pk, created.listing_no, created.region_code
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            if isinstance(row, ListingAttachment) and row.uploaded_by_id is None:
                row.uploaded_by = request.user
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()

    # ---- process buttons ----------------------------------------------------------------------------
    def _listing(self, request: HttpRequest, object_id) -> Listing | None:
        cache = request.__dict__.setdefault("_trading_listings", {})
        key = str(object_id)
        if key not in cache:
            cache[key] = (
                self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
            )
        return cache[key]

    def may_take(self, request: HttpRequest, object_id, step: str) -> bool:
        """Whether the step's button shows (state, role, scope); the service checks again when run."""
        listing = self._listing(request, object_id) if object_id is not None else None
        if listing is None:
            return False
        user = request.user
        if step in services.TRANSITIONS:
            allowed = {t.action for t in services.allowed_transitions(listing, user)}
            if step == "attest":
                return step in allowed and _settled(listing)
            return step in allowed
        county = holds(user, Actor.COUNTY) and code_in_scope(user, listing.region_code)
        if step == "bid":
            return county and listing.state == ListingState.BIDDING
        if step == "settle":
            return county and listing.state == ListingState.SETTLEMENT and not _settled(listing)
        if step == "print":
            return county and listing.certificates.exists()
        return False

    def step_view(self, request: HttpRequest, object_id: str, step: str):
        listing = self._listing(request, object_id)
        if listing is None:
            raise Http404("挂牌项目不存在或不在您的管辖范围内")
        if step == "print":
            certificate = listing.certificates.order_by("-issued_at").first()
            return redirect("admin:trading_certificate_print_certificate", certificate.pk)
        if step == "bid":
            form_class, transition = BidForm, None
        elif step == "settle":
            form_class, transition = SettlementForm, services.TRANSITIONS["attest"]
        else:
            transition = services.TRANSITIONS[step]
            form_class = TRANSITION_FORMS.get(step, ReasonForm)
        form = form_class(request.POST or None, listing=listing, transition=transition)
        if request.method == "POST" and form.is_valid():
            try:
                message = form.run(request.user)
            except services.TradingError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, message)
                return redirect("admin:trading_listing_change", listing.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step_label(step)}：{listing}",
            "opts": self.opts,
            "listing": listing,
            "form": form,
            "step": step,
            "step_label": step_label(step),
            "status": services.bidding_status(listing) if step == "bid" else None,
            "back_url": reverse("admin:trading_listing_change", args=[listing.pk]),
        }
        return TemplateResponse(request, "trading/admin/step.html", context)


def _settled(listing: Listing) -> bool:
    deal = services.current_deal(listing)
    return deal is not None and deal.settled_on is not None


def _add_step(cls: type, step: str) -> None:
    """Give the admin class the Unfold detail action of one process step and its permission check."""

    def view(self, request, object_id):
        return self.step_view(request, object_id, step)

    view.__name__ = view.__qualname__ = f"step_{step}"
    setattr(
        cls,
        f"step_{step}",
        action(description=step_label(step), url_path=f"process/{step}", permissions=[f"step_{step}"])(view),
    )
    setattr(
        cls,
        f"has_step_{step}_permission",
        lambda self, request, object_id=None: self.may_take(request, object_id, step),
    )


for _step in (*MAIN_STEPS, *EXCEPTION_STEPS):
    _add_step(ListingAdminBase, _step)
ListingAdminBase.actions_detail = (
    *(f"step_{s}" for s in MAIN_STEPS),
    {"title": "中止/恢复/终结", "icon": "pause_circle", "items": [f"step_{s}" for s in EXCEPTION_STEPS]},
)
