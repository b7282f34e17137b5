"""Public pages of the trading platform (no login; DOMAIN.md §6.8): current listings with filters, a
listing's detail with conditions, countdown and process milestones, results, certificate verification.

Every query goes through ``selectors`` (the public read path); templates receive only what may be shown.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..certificate import area_text, boundaries_text, verification_code_matches
from ..choices import PropertyType
from ..models import ListingAttachment
from . import selectors

PER_PAGE = 20


class VerifyForm(forms.Form):
    no = forms.CharField(label="鉴证书编号", max_length=40)
    code = forms.CharField(label="验证码", max_length=20, help_text="鉴证书右上角的8位验证码")


def _region_choices() -> list[tuple[str, str]]:
    """Counties and townships that have public listings (the region filter offers only these)."""
    from backoffice.regions.models import Region

    codes = set(selectors.public_listings().values_list("region_code", flat=True).distinct()[:2000])
    wanted = {c[:6] + "000000" for c in codes} | {c[:9] + "000" for c in codes}
    return [
        (r.code, ("　" if r.level >= 4 else "") + r.name)
        for r in Region.objects.filter(code__in=wanted).order_by("code")
    ]


@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    queryset, problems = selectors.filter_listings(selectors.public_listings(), request.GET)
    queryset = selectors.listing_cards(queryset).order_by("-announcement_start", "-pk")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trading/public/listing_list.html",
        {
            "page": page,
            "problems": problems,
            "params": request.GET,
            "query": query.urlencode(),
            "regions": _region_choices(),
            "types": PropertyType.choices,
            "status": request.GET.get("status") or "current",
        },
    )


@require_GET
def listing_detail(request: HttpRequest, listing_no: str) -> HttpResponse:
    listing = get_object_or_404(selectors.public_listings().select_related("org"), listing_no=listing_no)
    deal = selectors.current_deal(listing)
    return render(
        request,
        "trading/public/listing_detail.html",
        {
            "listing": listing,
            "transferor": selectors.transferor_display(listing),
            "area": area_text(listing),
            "boundaries": boundaries_text(listing),
            "deadline": selectors.announcement_deadline(listing),
            "now": timezone.now(),
            "progress": selectors.listing_progress(listing),
            "bid_log": selectors.public_bid_log(listing),
            "deal": deal,
            "winner": selectors.winner_display(deal) if deal else "",
            "attachments": listing.attachments.filter(is_public=True).order_by("kind", "pk"),
        },
    )


@require_GET
def attachment(request: HttpRequest, listing_no: str, pk: int) -> FileResponse:
    """A public attachment of a public listing (the clerk marked it public; others are never served)."""
    row = get_object_or_404(
        ListingAttachment.objects.filter(is_public=True, listing__in=selectors.public_listings()),
        listing__listing_no=listing_no,
        pk=pk,
    )
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("附件文件不存在") from exc
    return FileResponse(handle, as_attachment=False, filename=row.file.name.rsplit("/", 1)[-1])


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    deals = selectors.public_results()
    q = (request.GET.get("q") or "").strip()
    if q:
        deals = deals.filter(Q(listing__listing_no__icontains=q) | Q(listing__title__icontains=q))
    page = Paginator(deals, PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"deal": d, "winner": selectors.winner_display(d)} for d in page.object_list]
    return render(request, "trading/public/results.html", {"page": page, "rows": rows, "q": q})


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Check a certificate number and its verification code; show the non-personal deal summary."""
    form = VerifyForm(request.GET if request.GET.get("no") or request.GET.get("code") else None)
    outcome, certificate = None, None
    if form.is_bound and form.is_valid():
        found = selectors.certificate_lookup(form.cleaned_data["no"])
        if found is not None and verification_code_matches(
            found.verification_code, form.cleaned_data["code"]
        ):
            outcome, certificate = "valid", found
        else:
            outcome = "invalid"
    context = {"form": form, "outcome": outcome, "certificate": certificate}
    if certificate is not None:
        context.update(
            listing=certificate.listing,
            deal=certificate.deal,
            winner=selectors.winner_display(certificate.deal),
            transferor=selectors.transferor_display(certificate.listing),
        )
    return render(request, "trading/public/verify.html", context)
