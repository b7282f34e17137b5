"""The two evaluators of a rule's condition tree, which must give the same answer (DESIGN.md §4).

- ``evaluate_record``: one record through business-rules. Each leaf goes through
  ``business_rules.engine.check_condition`` with our typed operators (dates and days-until, not-equal,
  one-of) and memoised variables; we walk ``all``/``any``/``not`` ourselves with three-valued logic, so a
  missing fact (``None``) makes a leaf *unknown* instead of crashing business-rules, and the result says
  which facts were missing and which conditions were true ("why").
- ``evaluate_queryset``: the same tree compiled to a pair of Django ``Q`` objects per node — rows where
  it is true and rows where it is false (never ``~Q`` over a possibly-NULL leaf), over the subject
  queryset annotated with the variables' ORM expressions. Rows in neither set are unevaluable.

Three-valued logic (Kleene, like SQL): all = false if any child is false, else unknown if any is unknown;
any = true if any child is true, else unknown if any is unknown; not flips true/false, keeps unknown.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from business_rules.engine import check_condition
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Case, IntegerField, Q, Value, When

from .operators import variables_class
from .schema import OPERATORS, RuleDefinition, coerce_param, literal_value
from .variables import EvalContext, Variable, registry
from .workdays import working_days_bound

MATCH, NO_MATCH, UNEVALUABLE = "match", "no_match", "unevaluable"


# ---- values -------------------------------------------------------------------------------------------
def resolve_value(node: dict, var: Variable, ctx: EvalContext) -> Any:
    """The comparison value of a leaf as the operator's Python type (params substituted)."""
    kind = OPERATORS[node["operator"]][1]
    if kind == "none":
        return None
    raw = node.get("value")
    if isinstance(raw, dict) and "param" in raw:
        value = ctx.params[raw["param"]]
        if kind == "days":
            value = coerce_param("days", value)
        elif kind == "date":
            value = coerce_param("date", value)
        elif var.type in ("number", "integer"):
            value = coerce_param("number" if var.type == "number" else "integer", value)
    else:
        value = literal_value(var, kind, raw)
    return value


def _days_bound(op: str, days: int, as_of: date) -> tuple[str, date]:
    """days-until/since operators as a comparison of the date with a fixed bound."""
    if op == "days_until_at_most":
        return "lte", as_of + timedelta(days=days)
    if op == "days_until_more_than":
        return "gt", as_of + timedelta(days=days)
    if op == "days_since_at_least":
        return "lte", as_of - timedelta(days=days)
    if op == "working_days_since_at_least":
        return "lte", working_days_bound(as_of, days)
    if op == "working_days_since_less_than":
        return "gt", working_days_bound(as_of, days)
    return "gt", as_of - timedelta(days=days)  # days_since_less_than


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


# ---- per record -----------------------------------------------------------------------------------------
@dataclass
class RecordResult:
    outcome: str
    facts: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    why: list[dict] = field(default_factory=list)
    escalated: bool = False
    distance: Decimal | None = None

    @property
    def matched(self) -> bool:
        return self.outcome == MATCH


def _walk(node, path, facts_obj, ctx, why, missing) -> bool | None:
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        results = [
            _walk(k, f"{path}.{key}[{i}]", facts_obj, ctx, why, missing) for i, k in enumerate(node[key])
        ]
        if key == "all":
            value = False if False in results else (None if None in results else True)
        else:
            value = True if True in results else (None if None in results else False)
        why.append({"path": path, "group": key, "result": value})
        return value
    if "not" in node:
        inner = _walk(node["not"], f"{path}.not", facts_obj, ctx, why, missing)
        value = None if inner is None else not inner
        why.append({"path": path, "group": "not", "result": value})
        return value
    var = facts_obj.variables[node["name"]]
    fact = facts_obj.fact(var.name)
    value = resolve_value(node, var, ctx)
    entry = {
        "path": path,
        "name": var.name,
        "label": var.label,
        "operator": node["operator"],
        "operator_label": OPERATORS[node["operator"]][2],
        "value": json_value(value),
        "param": node.get("value", {}).get("param") if isinstance(node.get("value"), dict) else None,
        "fact": json_value(fact),
        "unit": var.unit,
    }
    if fact is None:
        if var.name not in missing:
            missing.append(var.name)
        entry["result"] = None
        why.append(entry)
        return None
    comparison = value
    if OPERATORS[node["operator"]][1] == "days":
        comparison = {"days": value, "as_of": ctx.as_of}
    result = check_condition({"name": var.name, "operator": node["operator"], "value": comparison}, facts_obj)
    entry["result"] = bool(result)
    why.append(entry)
    return bool(result)


def in_window(rule: RuleDefinition, facts_obj, ctx: EvalContext) -> bool:
    if not rule.window:
        return True
    day = facts_obj.fact(rule.window["date_variable"])
    if day is None:
        return False
    return ctx.as_of - timedelta(days=rule.window["lookback_days"]) <= day <= ctx.as_of


def evaluate_record(
    rule: RuleDefinition, record, ctx: EvalContext, prefetched: dict | None = None
) -> RecordResult:
    """Evaluate one record; never raises on missing facts. ``prefetched`` facts (read set-based by
    ``fetch_facts``) are used instead of calling the variables' accessors."""
    variables = registry.for_subject(rule.subject)
    facts_obj = variables_class(rule.subject)(record, ctx, variables, prefetched)
    why: list[dict] = []
    missing: list[str] = []
    value = _walk(rule.conditions, "$.conditions", facts_obj, ctx, why, missing)
    outcome = MATCH if value is True else NO_MATCH if value is False else UNEVALUABLE
    result = RecordResult(outcome=outcome, why=why, missing=missing)
    if outcome == MATCH and rule.escalate_if:
        esc_why: list[dict] = []
        result.escalated = _walk(rule.escalate_if, "$.escalate_if", facts_obj, ctx, esc_why, []) is True
        result.why.extend(esc_why)
    if rule.distance:
        fact = facts_obj.fact(rule.distance["name"])
        var = variables[rule.distance["name"]]
        if fact is not None:
            base = resolve_value({"operator": "equal_to", "value": rule.distance.get("value", 0)}, var, ctx)
            result.distance = Decimal(str(fact)) - Decimal(str(base))
    for name in message_variables(rule):
        facts_obj.fact(name)
    result.facts = {name: json_value(v) for name, v in facts_obj.cache.items()}
    return result


def message_variables(rule: RuleDefinition) -> list[str]:
    variables = registry.for_subject(rule.subject)
    names = []
    for action in rule.actions:
        for _, name, _, _ in string.Formatter().parse(action.get("message", "")):
            if name and name in variables:
                names.append(name)
    return names


# ---- set based ---------------------------------------------------------------------------------------------
def alias_of(name: str) -> str:
    return f"rv_{name}"


def _leaf_q(node: dict, var: Variable, ctx: EvalContext) -> tuple[Q, Q]:
    a = alias_of(var.name)
    op = node["operator"]
    value = resolve_value(node, var, ctx)
    present = Q(**{f"{a}__isnull": False})
    kind = OPERATORS[op][1]
    if kind == "none":
        t, f = Q(**{a: True}), Q(**{a: False})
        return (t, f) if op == "is_true" else (f, t)
    if kind == "days":
        lookup, bound = _days_bound(op, value, ctx.as_of)
        t = Q(**{f"{a}__{lookup}": bound})
        f = Q(**{f"{a}__{'gt' if lookup == 'lte' else 'lte'}": bound})
        return t & present, f & present
    simple = {
        "greater_than": "gt",
        "greater_than_or_equal_to": "gte",
        "less_than": "lt",
        "less_than_or_equal_to": "lte",
        "before": "lt",
        "on_or_after": "gte",
    }
    if op in simple:
        complement = OPERATORS[op][3]
        t = Q(**{f"{a}__{simple[op]}": value})
        f = Q(**{f"{a}__{simple.get(complement)}": value})
        return t & present, f & present
    if op in ("equal_to", "not_equal_to"):
        eq, ne = Q(**{a: value}) & present, ~Q(**{a: value}) & present
        return (eq, ne) if op == "equal_to" else (ne, eq)
    inside, outside = Q(**{f"{a}__in": value}) & present, ~Q(**{f"{a}__in": value}) & present
    return (inside, outside) if op == "one_of" else (outside, inside)


def compile_tree(node: dict, variables: dict[str, Variable], ctx: EvalContext) -> tuple[Q, Q, set[str]]:
    """(rows where the tree is true, rows where it is false, variable names used)."""
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        parts = [compile_tree(k, variables, ctx) for k in node[key]]
        names = set().union(*(p[2] for p in parts))
        t, f = parts[0][0], parts[0][1]
        for pt, pf, _ in parts[1:]:
            if key == "all":
                t, f = t & pt, f | pf
            else:
                t, f = t | pt, f & pf
        return t, f, names
    if "not" in node:
        t, f, names = compile_tree(node["not"], variables, ctx)
        return f, t, names
    var = variables[node["name"]]
    t, f = _leaf_q(node, var, ctx)
    return t, f, {var.name}


def annotated(queryset, names: set[str], variables: dict[str, Variable], ctx: EvalContext):
    return queryset.alias(**{alias_of(n): variables[n].expression(ctx) for n in sorted(names)})


@dataclass
class SetResult:
    matched: set
    unmatched: set
    unevaluable: set
    scanned: int
    escalated: set = field(default_factory=set)


def window_q(rule: RuleDefinition, ctx: EvalContext) -> tuple[Q, set[str]]:
    if not rule.window:
        return Q(), set()
    a = alias_of(rule.window["date_variable"])
    start = ctx.as_of - timedelta(days=rule.window["lookback_days"])
    return Q(**{f"{a}__gte": start, f"{a}__lte": ctx.as_of}), {rule.window["date_variable"]}


def evaluate_queryset(rule: RuleDefinition, queryset, ctx: EvalContext) -> SetResult:
    """Evaluate every row of ``queryset`` (the subject's rows in scope) in the database."""
    variables = registry.for_subject(rule.subject)
    t, f, names = compile_tree(rule.conditions, variables, ctx)
    wq, wnames = window_q(rule, ctx)
    names |= wnames
    esc_t = None
    if rule.escalate_if:
        esc_t, _ef, esc_names = compile_tree(rule.escalate_if, variables, ctx)
        names |= esc_names
    qs = annotated(queryset, names, variables, ctx).filter(wq)
    # one query: each row's outcome (1 true, 0 false, NULL unknown) and whether it escalates
    outcome = Case(
        When(t, then=Value(1)), When(f, then=Value(0)), default=Value(None), output_field=IntegerField()
    )
    escalates = (
        Case(When(t & esc_t, then=Value(True)), default=Value(False), output_field=BooleanField())
        if esc_t is not None
        else Value(False, output_field=BooleanField())
    )
    matched, unmatched, unevaluable, escalated = set(), set(), set(), set()
    rows = qs.annotate(rule_outcome=outcome, rule_escalates=escalates).values_list(
        "pk", "rule_outcome", "rule_escalates"
    )
    # Read through the cursor, not the ORM iterator: the per-value converters of three columns cost as
    # much as the query itself over a window of 50,000 bank transactions (benchmarks/bench_rules.py);
    # the raw values are already what is needed (an integer key, 1/0/NULL, a 0/1 or boolean flag).
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # e.g. a scope or a pk list that selects nothing
        records = []
    else:
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            records = cursor.fetchall()
    for pk, value, esc in records:
        if value == 1:
            matched.add(pk)
            if esc:
                escalated.add(pk)
        elif value == 0:
            unmatched.add(pk)
        else:
            unevaluable.add(pk)
    scanned = matched | unmatched | unevaluable
    return SetResult(
        matched=matched,
        unmatched=unmatched,
        unevaluable=unevaluable,
        scanned=len(scanned),
        escalated=escalated,
    )


def rule_variable_names(rule: RuleDefinition) -> set[str]:
    """Every variable a rule reads: conditions, escalation, distance, window and message."""
    variables = registry.for_subject(rule.subject)
    names = compile_names(rule.conditions)
    if rule.escalate_if:
        names |= compile_names(rule.escalate_if)
    if rule.distance:
        names.add(rule.distance["name"])
    if rule.window:
        names.add(rule.window["date_variable"])
    names |= set(message_variables(rule))
    return {n for n in names if n in variables}


def compile_names(node: dict) -> set[str]:
    if "all" in node or "any" in node:
        return set().union(*(compile_names(k) for k in node.get("all", node.get("any"))))
    if "not" in node:
        return compile_names(node["not"])
    return {node["name"]}


FACTS_CHUNK = 500


def fetch_facts(rule: RuleDefinition, queryset, pks, ctx: EvalContext) -> dict:
    """pk → {variable: value} for some rows, read with the variables' ORM expressions (the same values
    the accessors give; ``tests/rules/test_parity.py``), a few queries for any number of rows."""
    variables = registry.for_subject(rule.subject)
    names = sorted(rule_variable_names(rule))
    exprs = {alias_of(n): variables[n].expression(ctx) for n in names}
    found: dict = {}
    ordered = sorted(pks)
    for start in range(0, len(ordered), FACTS_CHUNK):
        chunk = ordered[start : start + FACTS_CHUNK]
        rows = queryset.model._base_manager.filter(pk__in=chunk).annotate(**exprs).values("pk", *exprs)
        for row in rows:
            found[row["pk"]] = {n: _normalised(variables[n], row[alias_of(n)]) for n in names}
    return found


CENT = Decimal("0.01")


def _normalised(var: Variable, value):
    """SQLite gives a computed amount without its scale (12500 for 12500.00) or with float noise
    (9912.41000000000): amounts in 元 have two places, other numbers at least two, as the accessors'
    Decimal arithmetic gives them."""
    if var.type != "number" or value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        value = Decimal(str(value))
    if var.unit.startswith("元") or value.as_tuple().exponent > -2:
        return value.quantize(CENT)
    return value
