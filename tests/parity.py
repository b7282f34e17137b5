"""Permission parity: the rows a user can reach through each read path must equal the rows of their
scope, computed here independently of the application's own scoping code (a prefix match on the
region code of the user's scope region). Used by the generic parity tests; new read paths (reports,
alert queue, public pages, API) add a function to READ_PATHS and are then checked for every type.

Two read paths are found by clicking rather than by naming a type, so that record types and reports added
later are covered without edits: the report drill-down (every detail list reachable from the report index,
``drilldown_detail_links``) and the public pages (everything an anonymous visitor reaches by following
links and by typing a record's public number, ``crawl_public``)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import openpyxl
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db import models
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, Resolver404, get_resolver, resolve, reverse

SIGNIFICANT = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def expected_pks(model: type[models.Model], user) -> set:
    """The oracle: rows whose region code starts with the significant digits of the user's region."""
    if user.is_superuser:
        return set(model._default_manager.values_list("pk", flat=True))
    region = user.scope_region
    prefix = region.code[: SIGNIFICANT[region.level]]
    return set(
        model._default_manager.filter(**{f"{model.scope_field}__startswith": prefix}).values_list(
            "pk", flat=True
        )
    )


def _url(site: str, model, view: str, *args) -> str:
    return reverse(f"{site}:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def via_changelist(client: Client, model, site: str = "admin") -> set:
    response = client.get(_url(site, model, "changelist"))
    if response.status_code == 403:
        return set()
    assert response.status_code == 200, response.status_code
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def change_view_sample(model, user, per_side: int = 3) -> set:
    """A few rows inside the user's scope and a few outside it (first and last by key)."""
    inside = parity_sorted(expected_pks(model, user))
    outside = parity_sorted(set(model._default_manager.values_list("pk", flat=True)) - set(inside))
    pick = lambda pks: set(pks[:per_side] + pks[-per_side:])  # noqa: E731
    return pick(inside) | pick(outside)


def parity_sorted(pks) -> list:
    return sorted(pks, key=str)


def via_change_view(client: Client, model, candidates: set, site: str = "admin") -> set:
    """Those candidate rows whose change page opens (200)."""
    return {pk for pk in candidates if client.get(_url(site, model, "change", pk)).status_code == 200}


def export_row_count(client: Client, model, site: str = "admin") -> int:
    """Data rows in the admin's xlsx export of the unfiltered list (compared with the oracle's count)."""
    model_admin = admin.site._registry[model]
    formats = [f().get_title() for f in model_admin.get_export_formats()]
    try:
        url = _url(site, model, "export")
    except NoReverseMatch:
        return 0
    response = client.post(url, {"format": str(formats.index("xlsx")), "resource": "0"})
    if response.status_code == 403:
        return 0
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    return sum(1 for r in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r))


def via_autocomplete(client: Client, model, site: str = "admin") -> set:
    """Rows offered by autocomplete for every registered foreign key that points at ``model``."""
    found = set()
    for source, source_admin in admin.site._registry.items():
        for field_name in getattr(source_admin, "autocomplete_fields", ()):
            field = source._meta.get_field(field_name)
            if field.related_model is not model:
                continue
            page = 1
            while True:
                response = client.get(
                    reverse(f"{site}:autocomplete"),
                    {
                        "app_label": source._meta.app_label,
                        "model_name": source._meta.model_name,
                        "field_name": field_name,
                        "page": page,
                    },
                )
                if response.status_code == 403:
                    break
                payload = response.json()
                found |= {model._meta.pk.to_python(item["id"]) for item in payload["results"]}
                if not payload["pagination"]["more"]:
                    break
                page += 1
    return found


def autocomplete_targets() -> set:
    """Models that some registered admin offers through autocomplete."""
    return {
        source._meta.get_field(name).related_model
        for source, source_admin in admin.site._registry.items()
        for name in getattr(source_admin, "autocomplete_fields", ())
    }


#: read paths returning primary keys, each compared with the oracle by the parity tests
READ_PATHS: dict[str, Callable[..., set]] = {
    "changelist": via_changelist,
    "change_view": via_change_view,
    "autocomplete": via_autocomplete,
}


# ---- report drill-down: the detail lists behind report cells ---------------------------------------------
HREF = re.compile(r'href="([^"#]*)')


def page_links(response) -> list[str]:
    """The href targets of an HTML response, unescaped."""
    return [html.unescape(h) for h in HREF.findall(response.content.decode())]


def _admin_model(path: str):
    """The registered model whose admin changelist ``path`` is, else None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not (match.url_name or "").endswith("_changelist"):
        return None
    for model in admin.site._registry:
        if match.url_name == f"{model._meta.app_label}_{model._meta.model_name}_changelist":
            return model
    return None


def _view_response(user, url: str):
    """The response of the view at ``url`` for ``user``, called directly (no middleware, no test-client
    context capture: a crawl renders hundreds of report pages)."""
    request = RequestFactory().get(url)
    request.user = user
    request.session = {}
    match = resolve(urlsplit(url).path)
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response


def drilldown_detail_links(user) -> list[str]:
    """Every filtered admin list a user reaches by clicking through the reports: from the report index to
    each report page, down every drill link (child regions, recursively), to the links of bottom-level
    cells. Links carrying no filter (the navigation's plain lists) are the changelist path, not this one."""
    try:
        start = reverse("admin:reports_report_changelist")
    except NoReverseMatch:
        return []
    queue, seen, details = [start], set(), set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            response = _view_response(user, url)
        except PermissionDenied:
            continue
        if response.status_code != 200:
            continue
        for link in page_links(response):
            parts = urlsplit(link)
            if not parts.path.startswith("/"):
                continue  # "?export=…", "?trend=…": the same page's data, not another page
            try:
                name = resolve(parts.path).url_name
            except Resolver404:
                continue
            if name == "reports_report_page":
                queue.append(link)
            elif parts.query and _admin_model(parts.path) is not None:
                details.add(link)
    return sorted(details)


def via_detail_link(user, link: str) -> tuple[type[models.Model], set]:
    """The model of a detail link and the rows its list holds (all pages), as the admin's changelist view
    builds them for ``user`` (its ``ChangeList``: scope, the link's filters, search) without rendering
    the page. A filter the list refuses raises, as it would show the visitor an error page."""
    model = _admin_model(urlsplit(link).path)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get(link)
    request.user = user
    if not model_admin.has_view_or_change_permission(request):
        return model, set()
    changelist = model_admin.get_changelist_instance(request)
    return model, set(changelist.queryset.values_list("pk", flat=True))


def expected_for_link(model, user, link: str) -> set:
    """The oracle's rows of the user, narrowed by the link's own filters (plain ORM lookups)."""
    params = dict(parse_qsl(urlsplit(link).query))
    named = set(model._default_manager.filter(**params).values_list("pk", flat=True))
    return expected_pks(model, user) & named


def retarget_link(model, link: str, prefix: str) -> str:
    """The same detail link pointed at another region (a tampered URL)."""
    parts = urlsplit(link)
    params = dict(parse_qsl(parts.query))
    params[f"{model.scope_field}__startswith"] = prefix
    return f"{parts.path}?{urlencode(params)}"


# ---- public pages: what an anonymous visitor reaches ---------------------------------------------------
@dataclass
class PublicCrawl:
    """What the public pages showed: model instances found in the page contexts, every HTML body, and
    every URL visited with its status."""

    reached: dict[type[models.Model], set] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, instance: models.Model) -> None:
        self.reached.setdefault(type(instance)._meta.concrete_model, set()).add(instance.pk)


SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="([^"]*)"')


def _form_variants(url: str, body: str) -> list[str]:
    """The page's GET selects submitted one option at a time (status tabs, type filters …)."""
    variants = []
    for name, options in SELECT.findall(body):
        for value in OPTION.findall(options):
            if value:
                variants.append(f"{urlsplit(url).path}?{urlencode({name: html.unescape(value)})}")
    return variants


def _instances(value, depth: int = 0) -> Iterable[models.Model]:
    """Model instances a page was given: directly, in a page of a list, a list or a row dict."""
    if depth > 2:
        return
    if isinstance(value, models.Model):
        yield value
    elif isinstance(value, Page):
        for item in value.object_list:
            yield from _instances(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _instances(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _instances(item, depth + 1)


def public_roots() -> list[str]:
    """Every parameter-free page outside the admin and the API: where an anonymous visitor starts."""
    roots = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(("admin", "api")):
                continue
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            elif "<" not in route and "(" not in route and route:
                roots.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return roots


def crawl_public(typed: Iterable[str] = (), limit: int = 400) -> PublicCrawl:
    """Follow every link and select option from the public roots, plus the ``typed`` URLs (a visitor who
    knows a record's number), as an anonymous client; collect what each page shows."""
    client = Client()
    crawl = PublicCrawl()
    queue = [*public_roots(), *typed]
    while queue and len(crawl.statuses) < limit:
        url = queue.pop(0)
        if url in crawl.statuses:
            continue
        response = client.get(url)
        crawl.statuses[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        crawl.bodies[url] = body
        for context in response.context or []:
            for value in context.flatten().values():
                for instance in _instances(value):
                    crawl.add(instance)
        for link in [*page_links(response), *_form_variants(url, body)]:
            parts = urlsplit(link)
            path = parts.path or urlsplit(url).path
            if path.startswith(("/admin", "/api", "/static", "/media")) or not path.startswith("/"):
                continue
            queue.append(f"{path}?{parts.query}" if parts.query else path)
    return crawl


def personal_numbers() -> set[str]:
    """Every stored personal number (ID, phone, bank account …: each model's ``SensitiveField`` values),
    decrypted — none may appear on a public page."""
    from django.apps import apps

    from backoffice.core.pii import sensitive_fields

    numbers: set[str] = set()
    for model in apps.get_models():
        names = [f.name for f in sensitive_fields(model)]
        if not names:
            continue
        for row in model._default_manager.only("pk", *names).iterator():
            numbers |= {str(getattr(row, name) or "").strip().upper() for name in names}
    return {n for n in numbers if len(n) >= 6}


def leaked_numbers(body: str, numbers: set[str]) -> set[str]:
    """The ``numbers`` appearing in ``body`` (inside any run of digits, so a longer number hides none)."""
    lengths = {len(n) for n in numbers}
    found = set()
    for run in re.findall(r"[0-9Xx]{6,}", body):
        run = run.upper()
        for size in lengths:
            for start in range(len(run) - size + 1):
                if run[start : start + size] in numbers:
                    found.add(run[start : start + size])
    return found


def via_api_list(model: type[models.Model], user) -> set | None:
    """Rows reached through the REST API's list (issue 10) by a client registered with the user's scope
    region for this type; None when the API does not serve the type. Keys are mapped back to rows through
    every row's key, so a leaked row from anywhere would show up."""
    from imports.api.keys import keys_for
    from imports.api.registry import label_of, model_for
    from imports.api.services import api_client_create, api_token_issue

    label = label_of(model)
    if model_for(label) is None:
        return None
    client = api_client_create(
        code=f"parity-{user.pk}-{model._meta.model_name}"[:40],
        name="parity",
        kind="vendor",
        scope_region=user.scope_region_id,
        allowed_types=[label],
        rate_per_minute=100000,
    )
    _token, raw = api_token_issue(client=client)
    http = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    by_key: dict[str, set] = {}
    for pk, key in keys_for(model, model._default_manager.values_list("pk", flat=True), reveal=False).items():
        by_key.setdefault(key, set()).add(pk)
    found: set = set()
    url, params = f"/api/v1/records/{label}/", {"page_size": 500}
    while url:
        response = http.get(url, params)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        for row in body["results"]:
            found |= by_key[row["key"]]
        url, params = body["next"], {}
    return found
