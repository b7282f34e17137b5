"""Admin widgets hardened against hostile input.

Django's autocomplete widget re-renders a refused form by filtering the related table with the submitted
value; a value that is not a valid key (``":"`` or a 40-digit number for an integer id) raises ValueError
or OverflowError inside that query and turns the form's error page into a 500. Every autocomplete in the
project — record admins, inlines, Unfold's autocomplete filters — goes through ``AutocompleteMixin``, so
the guard is installed there once (``install_autocomplete_guard``, called from ``CoreConfig.ready``)
rather than in each admin class, where a new inline would silently miss it."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_original_optgroups = AutocompleteMixin.optgroups


def _valid_keys(widget, value) -> list:
    remote = widget.field.remote_field
    target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
    valid = []
    for item in value:
        # to_python refuses non-numbers, the validators out-of-range numbers (SQLite's OverflowError)
        try:
            target.run_validators(target.to_python(item))
        except (ValidationError, TypeError, ValueError, OverflowError):
            continue
        valid.append(item)
    return valid


def _guarded_optgroups(self, name, value, attr=None):
    """Values that are not keys of the related model are dropped before the query: the user sees the
    form with its error message instead of a server error."""
    return _original_optgroups(self, name, _valid_keys(self, value), attr)


def install_autocomplete_guard() -> None:
    if AutocompleteMixin.optgroups is not _guarded_optgroups:
        AutocompleteMixin.optgroups = _guarded_optgroups
