"""Natural keys of record types: how a foreign key is written in a file or an API payload and found again.

A foreign key is written as the related type's natural key (``Spec.natural_key``, flattened: a contract
is ``<org credit code> | <contract no>``), never as a database id; when the natural key of a row is empty
the first unconditional unique constraint is used instead (``<region code> | <name>``). ``FkResolver``
loads one dict per related type (one query): unknown keys are reported by value, keys outside the user's
scope as such, and a masked personal-data key part is accepted when it identifies exactly one row.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.db import models

from backoffice.core.pii import SensitiveField, mask, normalise
from backoffice.core.scope import is_scoped_model
from backoffice.core.spec import get_spec, has_spec

from .reading import code_text, to_halfwidth

KEY_SEPARATOR = " | "
#: a text cell starting with one of these is written with a leading ' (formula-injection guard)
FORMULA_PREFIXES = ("=", "+", "-", "@")


def _unique_alternatives(model: type[models.Model]) -> list[tuple[str, ...]]:
    alternatives: list[tuple[str, ...]] = []
    if has_spec(model):
        alternatives.append(tuple(get_spec(model).natural_key))
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and constraint.fields
            and tuple(constraint.fields) not in alternatives
        ):
            alternatives.append(tuple(constraint.fields))
    if not alternatives:
        alternatives.append((model._meta.pk.name,))
    return alternatives


def _flatten(model: type[models.Model], names: tuple[str, ...], depth: int = 0) -> tuple[str, ...]:
    """Lookup paths of a natural key, FK parts replaced by the related type's own key paths."""
    paths: list[str] = []
    for name in names:
        f = model._meta.get_field(name)
        if f.is_relation and (f.many_to_one or f.one_to_one) and depth < 4:
            related = f.related_model
            inner = _flatten(related, _unique_alternatives(related)[0], depth + 1)
            paths.extend(f"{name}__{p}" for p in inner)
        else:
            paths.append(name)
    return tuple(paths)


@cache
def key_paths(model: type[models.Model]) -> tuple[tuple[str, ...], ...]:
    """Alternative flattened natural keys of a model, preferred first."""
    return tuple(_flatten(model, alt) for alt in _unique_alternatives(model))


def key_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return to_halfwidth(str(value))


def join_key(parts) -> str:
    return KEY_SEPARATOR.join(key_text(p) for p in parts)


def split_key(text: str) -> str:
    """A key cell normalised for lookup: parts stripped and rejoined, full-width folded."""
    return KEY_SEPARATOR.join(p.strip() for p in to_halfwidth(text).replace("｜", "|").split("|"))


def _sensitive_of(model: type[models.Model], path: str) -> tuple[str, str | None]:
    """A ``…__id_no_hash`` key part is loaded as the plain ``…__id_no`` (decrypted) and hashed for lookup."""
    if not path.endswith("_hash"):
        return path, None
    current = model
    parts = path.split("__")
    for part in parts[:-1]:
        current = current._meta.get_field(part).related_model
    try:
        f = current._meta.get_field(parts[-1][:-5])
    except Exception:
        return path, None
    if isinstance(f, SensitiveField):
        return path[:-5], f.kind
    return path, None


AMBIGUOUS = -1


class FkResolver:
    """Natural key ↔ pk of one related type, loaded with one query (scoped rows flagged).

    A key part that is personal data (a worker's ID number) is written in full to users who may see it
    and masked to the others; a masked key is accepted on import when it identifies exactly one row.
    """

    def __init__(self, model: type[models.Model], user=None, *, only=None):
        """``only``: a queryset of pks (``rows.values("fk_id")``) to load the keys of just those rows, for
        writing them out (an export of one village's rows must not read every member of the province).
        Left out for import, whose lookups (masked keys among them) need every row."""
        from backoffice.core.scope import code_in_scope

        self.model = model
        self.by_key: dict[str, int] = {}
        self.by_masked: dict[str, int] = {}
        self.key_of: dict[Any, str] = {}
        self.masked_key_of: dict[Any, str] = {}
        self.scope_code: dict[Any, str] = {}
        alternatives = [[_sensitive_of(model, p) for p in alt] for alt in key_paths(model)]
        scoped = is_scoped_model(model)
        extra = (model.scope_field,) if scoped else ()
        flat = [p for alt in alternatives for p, _ in alt]
        rows = model._default_manager.all() if only is None else model._default_manager.filter(pk__in=only)
        for row in rows.values_list("pk", *extra, *flat).iterator(chunk_size=5000):
            pk = row[0]
            offset = 1 + len(extra)
            if scoped:
                self.scope_code[pk] = row[1]
            preferred = masked_preferred = None
            for alt in alternatives:
                parts = row[offset : offset + len(alt)]
                offset += len(alt)
                if all(p in (None, "") for p in parts):
                    continue
                plain = [
                    normalise(p, kind) if kind and p else p for p, (_, kind) in zip(parts, alt, strict=True)
                ]
                text = join_key(plain)
                self.by_key.setdefault(text, pk)
                masked = join_key(
                    mask(p, kind) if kind and p else p for p, (_, kind) in zip(plain, alt, strict=True)
                )
                if masked != text:
                    self.by_masked[masked] = AMBIGUOUS if masked in self.by_masked else pk
                preferred = preferred or text
                masked_preferred = masked_preferred or masked
            self.key_of[pk] = preferred or str(pk)
            self.masked_key_of[pk] = masked_preferred or str(pk)
        self.user = user
        self._in_scope = code_in_scope

    def resolve(self, raw: Any) -> int:
        text = split_key(code_text(raw))
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
            text = text[1:]
        label = self.model._meta.verbose_name
        pk = self.by_key.get(text)
        if pk is None and "*" in text:
            pk = self.by_masked.get(text)
            if pk == AMBIGUOUS:
                raise ValueError(f"脱敏编码“{text}”对应多条{label}；请填写完整号码")
        if pk is None:
            raise ValueError(f"找不到{label}“{text}”；请填写系统中已有的{label}编码（可从列表导出核对）")
        if self.user is not None and self.scope_code and not self._in_scope(self.user, self.scope_code[pk]):
            from backoffice.core.scope import prefix_of_code, scope_prefix

            # a reference upwards (a village organisation's parent, the township) is allowed; sideways is not
            prefix = scope_prefix(self.user)
            if not (isinstance(prefix, str) and prefix.startswith(prefix_of_code(self.scope_code[pk]))):
                raise ValueError(f"{label}“{text}”不在您的管辖范围内")
        return pk
