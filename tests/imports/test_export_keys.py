"""An export writes the natural keys of the rows its records refer to, reading only those rows (an export
of one village's share changes used to read every holding and member of the province: 2.2 s at city
scale, now 15 ms). The keys written are exactly those of a lookup over every row, for every type, for a
user who may see personal data and one who may not."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.core.scope import is_scoped_model
from imports import exporting
from imports.exporting import export_rows
from imports.natural_keys import FkResolver
from imports.resources import columns_for

pytestmark = pytest.mark.django_db

TYPES = sorted(
    (
        m
        for m in admin.site._registry
        if is_scoped_model(m) and hasattr(m, "Spec") and any(c.kind == "fk" for c in columns_for(m))
    ),
    key=lambda m: m._meta.label,
)


class EveryRowResolver(FkResolver):
    def __init__(self, model, user=None, *, only=None):
        super().__init__(model, user)  # the lookup over every row, as before


@pytest.mark.parametrize("reveal", [True, False], ids=["full", "masked"])
@pytest.mark.parametrize("model", TYPES, ids=lambda m: m._meta.label)
def test_export_keys_equal_a_lookup_over_every_row(model, reveal, users, monkeypatch):
    rows = model._default_manager.visible_to(users["township_reviewer"])
    if not rows.exists():
        pytest.skip("no demo rows in the township")
    written = list(export_rows(model, rows, reveal=reveal))
    monkeypatch.setattr(exporting, "FkResolver", EveryRowResolver)
    assert written == list(export_rows(model, rows, reveal=reveal))


def test_export_of_a_village_reads_only_the_referenced_rows(users):
    from backoffice.reform.models import Member, ShareChange

    rows = ShareChange.objects.visible_to(users["village_bookkeeper"])
    assert rows.exists()
    with CaptureQueriesContext(connection) as queries:
        written = list(export_rows(ShareChange, rows))
    member_reads = [q["sql"] for q in queries if f'FROM "{Member._meta.db_table}"' in q["sql"]]
    assert member_reads and all(" IN (SELECT" in sql for sql in member_reads), member_reads
    assert len(written) == rows.count() + 1
