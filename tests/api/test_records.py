"""The record endpoints for every record type of the registry (issue 10 item 1): list within scope,
read by natural key, batch upsert twice is idempotent, invalid items get item-level errors while the
valid ones are kept (valid_rows) or nothing is written (all_or_nothing), and a township client cannot
write the other township's rows. Rows come from the seeded demo, exported through the API itself."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from imports.api.keys import keys_for
from imports.api.registry import is_writable, label_of, record_types
from imports.models import ImportJob
from imports.resources import columns_for
from tests.api.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
TYPES = list(record_types().values())
WRITABLE = [m for m in TYPES if is_writable(m)]
READ_ONLY = {"key", "review_status", "updated_at", "region_code"}
GARBAGE = "不是有效值@@"


def ids(model) -> str:
    return label_of(model)


def scope_with_rows(model) -> str:
    """Township A when the demo has rows of this type there, else the county."""
    field = f"{model.scope_field}__startswith"
    return TOWNSHIP_A if model._default_manager.filter(**{field: TOWNSHIP_A}).exists() else COUNTY


def as_item(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in READ_ONLY}


NOTE_WORDS = ("remark", "note", "memo", "summary", "description", "comment")


def editable_text_column(model):
    """A free-text column whose change no rule can object to (no key, choices, validators or format);
    notes and remarks first, because other texts may carry meaning (an exemption reason, a name)."""
    candidates = [
        col
        for col in columns_for(model)
        if not col.in_key
        and col.kind in ("char", "text")
        and not col.extra_validators
        and not col.field.choices
        and (col.kind == "text" or (col.field.max_length or 0) >= 8)
    ]
    candidates.sort(key=lambda c: not any(w in c.name for w in NOTE_WORDS))
    return candidates[0] if candidates else None


def number_column(model):
    """For a type without free text: a non-key number that is filled in (changing it may break a rule,
    then ``write_modified`` tries the next row)."""
    for col in columns_for(model):
        if not col.in_key and col.kind in ("decimal", "int") and not col.field.choices:
            return col
    return None


def modified(model, row: dict, suffix: str = "（接口）", step: int = 1) -> tuple[dict, str | None]:
    """The row with one field changed (a free-text field, else a number), and that field's name; or the
    row unchanged and None when the type has neither."""
    item = as_item(row)
    col = editable_text_column(model)
    if col is not None:
        text = suffix * step
        room = max(0, (col.field.max_length or 200) - len(text))
        item[col.name] = (item.get(col.name) or "")[:room] + text
        return item, col.name
    col = number_column(model)
    if col is None or item.get(col.name) is None:
        return item, None
    value = Decimal(str(item[col.name])) + step
    item[col.name] = str(value) if col.kind == "decimal" else int(value)
    return item, col.name


def first_rows(api, label: str, n: int = 20) -> list[dict]:
    response = api.get(api.records(label), {"page_size": n})
    assert response.status_code == 200
    return response.json()["results"]


def write_modified(api, model, rows: list[dict]) -> tuple[dict, dict, str | None]:
    """Upsert a modification of the first row the model's own rules let change (a posted voucher's lines
    may not); returns (row before, item sent, changed field) — the field is None when no row may change."""
    label = label_of(model)
    for row in rows:
        item, changed = modified(model, row)
        if changed is None:
            break
        response = api.batch(label, [item])
        assert response.status_code == 200, response.content[:800]
        entry = response.json()["items"][0]
        if entry["status"] == "updated":
            return row, item, changed
        assert entry["status"] == "invalid" and entry["errors"], entry  # refused by a business rule
    return rows[0], as_item(rows[0]), None


def garbage_column(model):
    """A non-key typed column where any text that is not a value is rejected by conversion."""
    for col in columns_for(model):
        if not col.in_key and col.kind in ("date", "decimal", "int", "choice", "fk", "bool", "time"):
            return col
    return next(c for c in columns_for(model) if c.kind in ("date", "decimal", "int", "choice", "fk"))


def db_value(model, name: str, key: str, caller):
    """A field of one record as the API reads it back."""
    response = caller.get(f"{caller.records(label_of(model))}item/", {"key": key})
    assert response.status_code == 200, response.content[:300]
    return response.json()[name]


@pytest.mark.parametrize("model", TYPES, ids=ids)
def test_list_returns_exactly_the_clients_scope_and_each_record_reads_back_by_its_key(model, make_api):
    label = label_of(model)
    scope = scope_with_rows(model)
    api = make_api(scope, [label], can_write=False)
    rows = api.list_all(label)
    pks = model._default_manager.filter(**{f"{model.scope_field}__startswith": scope}).values_list(
        "pk", flat=True
    )
    assert Counter(r["key"] for r in rows) == Counter(keys_for(model, pks, reveal=False).values())
    assert all(r["region_code"].startswith(scope) for r in rows)
    first = rows[0]
    response = api.get(f"{api.records(label)}item/", {"key": first["key"]})
    assert response.status_code == 200
    assert response.json() == first
    outside = model._default_manager.exclude(**{f"{model.scope_field}__startswith": scope}).first()
    if outside is not None:
        key = keys_for(model, [outside.pk], reveal=False)[outside.pk]
        if key not in {r["key"] for r in rows}:
            assert api.get(f"{api.records(label)}item/", {"key": key}).status_code == 404


@pytest.mark.parametrize("model", WRITABLE, ids=ids)
def test_upserting_the_same_batch_twice_writes_once_and_then_changes_nothing(model, make_api):
    label = label_of(model)
    api = make_api(scope_with_rows(model), [label])
    row, item, changed = write_modified(api, model, first_rows(api, label))
    if changed:
        assert db_value(model, changed, row["key"], api) == item[changed]
        job = ImportJob.objects.filter(channel="api").latest("pk")
        assert (job.status, job.updated_count, job.user_id) == (
            "committed",
            1,
            api.api_client.service_user_id,
        )
        staged = job.rows.get()
        assert staged.before[model._meta.get_field(changed).attname] == row[changed]  # undoable

    second = api.batch(label, [item])
    assert second.status_code == 200
    assert second.json()["counts"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "invalid": 0,
        "not_written": 0,
    }
    assert (
        ImportJob.objects.get(pk=second.json()["batch"]).rows.count() == 0
    )  # nothing staged, nothing written


@pytest.mark.parametrize("model", WRITABLE, ids=ids)
def test_an_invalid_item_gets_field_errors_and_the_batch_policy_decides_about_the_valid_ones(model, make_api):
    label = label_of(model)
    api = make_api(scope_with_rows(model), [label])
    rows = first_rows(api, label)
    written, first, changed = write_modified(api, model, rows)
    good = modified(model, written, step=2)[0] if changed else first
    current = {**written, changed: first[changed]} if changed else written
    col = garbage_column(model)
    bad = {**as_item(rows[-1]), col.name: GARBAGE}

    strict = api.batch(label, [good, bad], policy="all_or_nothing")
    assert strict.status_code == 200, strict.content[:800]
    result = strict.json()
    assert result["items"][1]["status"] == "invalid"
    errors = result["items"][1]["errors"]
    assert col.name in {e["field"] for e in errors}, errors
    error = next(e for e in errors if e["field"] == col.name)
    assert error["label"] == col.label and error["code"] in {
        "invalid_value",
        "invalid_choice",
        "unknown_reference",
    }
    assert GARBAGE in error["message"] or "找不到" in error["message"]
    assert result["items"][0]["status"] == ("not_written" if changed else "unchanged")
    if changed:
        assert db_value(model, changed, current["key"], api) == current[changed]

    lenient = api.batch(label, [good, bad], policy="valid_rows")
    assert lenient.status_code == 200
    result = lenient.json()
    assert [i["status"] for i in result["items"]] == ["updated" if changed else "unchanged", "invalid"]
    if changed:
        assert db_value(model, changed, current["key"], api) == good[changed]


@pytest.mark.parametrize("model", WRITABLE, ids=ids)
def test_a_township_client_can_neither_read_nor_write_the_other_townships_rows(model, make_api):
    label = label_of(model)
    other = model._default_manager.filter(**{f"{model.scope_field}__startswith": TOWNSHIP_B}).first()
    if other is None:
        pytest.skip(f"the demo has no {label} in township B")
    county = make_api(COUNTY, [label])
    key = keys_for(model, [other.pk], reveal=False)[other.pk]
    row = county.get(f"{county.records(label)}item/", {"key": key}).json()
    item, changed = modified(model, row, suffix="（越权）")

    township = make_api(TOWNSHIP_A, [label])
    assert key not in {r["key"] for r in township.list_all(label)}
    response = township.batch(label, [item])
    assert response.status_code == 200
    entry = response.json()["items"][0]
    assert entry["status"] == "invalid", entry
    assert "out_of_scope" in {e["code"] for e in entry["errors"]}, entry
    if changed:
        assert db_value(model, changed, key, county) == row[changed]


@pytest.mark.parametrize("model", [m for m in TYPES if not is_writable(m)], ids=ids)
def test_a_read_only_type_has_no_batch_endpoint(model, make_api):
    label = label_of(model)
    api = make_api(COUNTY, [label])
    response = api.batch(label, [{}])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
