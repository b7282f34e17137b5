"""business-rules' side of a rule: typed operators (numbers, text, flags, and dates with days-until and
working days, which business-rules 1.1.1 lacks) and a ``BaseVariables`` class per subject whose variables
are read once per record (from the set-based prefetch when there is one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from business_rules.fields import FIELD_NO_INPUT, FIELD_NUMERIC, FIELD_SELECT, FIELD_TEXT
from business_rules.operators import BaseType, type_operator
from business_rules.variables import BaseVariables, rule_variable

from .variables import EvalContext, Variable, registry
from .workdays import working_days_bound

FIELD_DATE = "date"  # business-rules 1.1.1 has no date input type


class NumberType(BaseType):
    """Exact Decimal comparison (business-rules' NumericType compares floats with a tolerance)."""

    name = "number"

    def _assert_valid_value_and_cast(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise AssertionError(f"{value!r} is not a number")
        return Decimal(str(value))

    @type_operator(FIELD_NUMERIC)
    def equal_to(self, other):
        return self.value == other

    @type_operator(FIELD_NUMERIC)
    def not_equal_to(self, other):
        return self.value != other

    @type_operator(FIELD_NUMERIC)
    def greater_than(self, other):
        return self.value > other

    @type_operator(FIELD_NUMERIC)
    def greater_than_or_equal_to(self, other):
        return self.value >= other

    @type_operator(FIELD_NUMERIC)
    def less_than(self, other):
        return self.value < other

    @type_operator(FIELD_NUMERIC)
    def less_than_or_equal_to(self, other):
        return self.value <= other


class TextType(BaseType):
    name = "string"

    def _assert_valid_value_and_cast(self, value):
        if not isinstance(value, str):
            raise AssertionError(f"{value!r} is not a string")
        return value

    @type_operator(FIELD_TEXT)
    def equal_to(self, other):
        return self.value == other

    @type_operator(FIELD_TEXT)
    def not_equal_to(self, other):
        return self.value != other

    @type_operator(FIELD_SELECT, assert_type_for_arguments=False)
    def one_of(self, others):
        return self.value in others

    @type_operator(FIELD_SELECT, assert_type_for_arguments=False)
    def not_one_of(self, others):
        return self.value not in others


class FlagType(BaseType):
    name = "boolean"

    def _assert_valid_value_and_cast(self, value):
        if not isinstance(value, bool):
            raise AssertionError(f"{value!r} is not a boolean")
        return value

    @type_operator(FIELD_NO_INPUT)
    def is_true(self):
        return self.value is True

    @type_operator(FIELD_NO_INPUT)
    def is_false(self):
        return self.value is False


class DateType(BaseType):
    """Dates compared with a date, or "days until / since" the as-of date (value {"days", "as_of"})."""

    name = "date"

    def _assert_valid_value_and_cast(self, value):
        if not isinstance(value, date):
            raise AssertionError(f"{value!r} is not a date")
        return value

    @type_operator(FIELD_DATE)
    def before(self, other):
        return self.value < other

    @type_operator(FIELD_DATE)
    def on_or_after(self, other):
        return self.value >= other

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def days_until_at_most(self, spec):
        return (self.value - spec["as_of"]).days <= spec["days"]

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def days_until_more_than(self, spec):
        return (self.value - spec["as_of"]).days > spec["days"]

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def days_since_at_least(self, spec):
        return (spec["as_of"] - self.value).days >= spec["days"]

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def days_since_less_than(self, spec):
        return (spec["as_of"] - self.value).days < spec["days"]

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def working_days_since_at_least(self, spec):
        return self.value <= working_days_bound(spec["as_of"], spec["days"])

    @type_operator(FIELD_NUMERIC, assert_type_for_arguments=False)
    def working_days_since_less_than(self, spec):
        return self.value > working_days_bound(spec["as_of"], spec["days"])


TYPE_CLASSES = {
    "number": NumberType,
    "integer": NumberType,
    "string": TextType,
    "boolean": FlagType,
    "date": DateType,
}
_variables_classes: dict[str, type] = {}


def variables_class(subject: str) -> type:
    """A business-rules ``BaseVariables`` class for a subject; each variable is memoised per record."""
    if subject not in _variables_classes:
        attrs = {}
        for var in registry.for_subject(subject).values():

            def method(self, _name=var.name):
                return self.fact(_name)

            method.__name__ = var.name
            attrs[var.name] = rule_variable(TYPE_CLASSES[var.type], label=var.label)(method)
        _variables_classes[subject] = type(
            f"{subject.replace('.', '_')}_Variables", (SubjectVariables,), attrs
        )
    return _variables_classes[subject]


class SubjectVariables(BaseVariables):
    def __init__(self, record, ctx: EvalContext, variables: dict[str, Variable], prefetched=None):
        self.record, self.ctx, self.variables = record, ctx, variables
        self.cache: dict[str, Any] = {}
        self.prefetched: dict[str, Any] = prefetched or {}

    def fact(self, name: str) -> Any:
        """A fact, read once: from the set-based prefetch when there is one, else the accessor (so the
        cache, which becomes the alert's facts, holds only what the evaluation looked at)."""
        if name not in self.cache:
            if name in self.prefetched:
                self.cache[name] = self.prefetched[name]
            else:
                self.cache[name] = self.variables[name].accessor(self.record, self.ctx)
        return self.cache[name]
