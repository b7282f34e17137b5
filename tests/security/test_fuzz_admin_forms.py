"""Property: every admin add form answers hostile input with its own page (form errors, HTTP 200) or a
saved record (redirect), never a server error, and a refused form writes nothing.

Generic over the registry: the form's fields are read from the rendered add page (inputs, selects,
textareas, inline formsets), so types added later are covered without edits."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import HOSTILE_TEXT

pytestmark = pytest.mark.django_db

MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
SKIP_TYPES = {"file", "submit", "button", "image", "reset"}


class FormFields(HTMLParser):
    """name → (kind, default, options) of the fields of the admin's main form."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, tuple[str, str, list[str]]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        name = attr.get("name")
        if tag == "input" and name and attr.get("type", "text") not in SKIP_TYPES:
            self.fields[name] = (attr.get("type", "text"), attr.get("value") or "", [])
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = ("select", "", [])
        elif tag == "option" and self._select:
            kind, default, options = self.fields[self._select]
            value = attr.get("value", "")
            options.append(value)
            if "selected" in attr:
                default = value
            self.fields[self._select] = (kind, default, options)
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ("textarea", "", [])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _add_url(model) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    except NoReverseMatch:
        return None


ADDABLE = sorted(
    (m for m in admin.site._registry if _add_url(m)),
    key=lambda m: m._meta.label,
)


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m._meta.label)
def test_hostile_input_gives_a_page_or_a_record_never_a_500(model, client_for, users):
    client = client_for("admin")
    url = _add_url(model)
    page = client.get(url)
    if page.status_code == 403:
        pytest.skip("no add permission for anyone")
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    fields = {
        name: spec
        for name, spec in parser.fields.items()
        if name not in ("csrfmiddlewaretoken", "_save", "_continue", "_addanother")
        and "__prefix__" not in name
    }

    @settings(
        max_examples=3,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data):
        post: dict[str, str] = {}
        for name, (kind, default, options) in fields.items():
            if name.endswith(MANAGEMENT):
                post[name] = default
            elif kind == "checkbox":
                if data.draw(st.booleans()):
                    post[name] = "on"
            elif kind == "select" and options and data.draw(st.booleans()):
                post[name] = data.draw(st.sampled_from(options))
            else:
                post[name] = data.draw(HOSTILE_TEXT).replace("\x00", "")
        before = model._default_manager.count()
        response = client.post(url, post)  # the test client re-raises any server error
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert model._default_manager.count() == before, "a refused form must write nothing"
            html = response.content.decode()
            assert "errornote" in html or "errorlist" in html or "text-red" in html

    run()
