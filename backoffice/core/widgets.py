"""Admin widgets hardened against hostile input."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete re-renders a refused form by filtering the related table with the submitted
    value; a value that is not a valid key (``":"`` for an integer id) raises ValueError there and turns
    the form's error page into a 500. Values that are not keys are dropped before that query, so the
    user sees the form with its error message instead."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)
