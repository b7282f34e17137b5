"""Natural keys of records for the API: the key text of a page of records, and one record by its key.

Keys are the import files' keys (``resources.key_paths``: FK parts flattened, joined by `` | ``); a
personal-data key part is shown masked unless the client's user may reveal it, and is looked up by its
keyed hash (a masked key is accepted when it identifies exactly one visible record).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.pii import mask, normalise, pii_hash

from ..natural_keys import KEY_SEPARATOR, _sensitive_of, join_key, key_paths, split_key


def keys_for(model: type[models.Model], pks, *, reveal: bool) -> dict:
    """``{pk: key text}`` for the given primary keys (one query)."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return {}
    alternatives = [[_sensitive_of(model, p) for p in alt] for alt in key_paths(model)]
    flat = [p for alt in alternatives for p, _ in alt]
    out = {}
    rows = model._default_manager.filter(pk__in=pks).values_list("pk", *flat)
    for row in rows.iterator(chunk_size=2000):
        offset = 1
        found = None
        for alt in alternatives:
            parts = row[offset : offset + len(alt)]
            offset += len(alt)
            if found is not None or all(p in (None, "") for p in parts):
                continue
            shown = []
            for part, (_, kind) in zip(parts, alt, strict=True):
                if kind and part:
                    part = normalise(part, kind)
                    part = part if reveal else mask(part, kind)
                shown.append(part)
            found = join_key(shown)
        out[row[0]] = found if found is not None else str(row[0])
    return out


def find_by_key(model: type[models.Model], queryset, text: str, *, reveal: bool):
    """The record of ``queryset`` whose natural key is ``text`` (None when there is none)."""
    text = split_key(text)
    parts = text.split(KEY_SEPARATOR.strip())
    parts = [p.strip() for p in parts]
    masked = "*" in text
    for alt in key_paths(model):
        if len(parts) != len(alt):
            continue
        filters = {}
        for path, part in zip(alt, parts, strict=True):
            _plain, kind = _sensitive_of(model, path)
            if kind:
                if "*" in part:
                    filters = None
                    break
                filters[path] = pii_hash(part, kind)
            else:
                filters[path] = part
        if filters is None:
            continue
        try:
            found = queryset.filter(**filters).order_by("pk").first()
        except (ValidationError, ValueError, TypeError):
            continue
        if found is not None:
            return found
    if masked:
        pks = list(queryset.values_list("pk", flat=True)[:50000])
        matches = [pk for pk, key in keys_for(model, pks, reveal=False).items() if key == text]
        if len(matches) == 1:
            return queryset.filter(pk=matches[0]).first()
    return None
