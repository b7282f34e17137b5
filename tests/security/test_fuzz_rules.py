"""Property: the rule validator answers any JSON — random documents and mutations of the shipped rule
files — with a list of (JSON path, Chinese message) problems or a parsed rule, never an exception."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.schema import DEFINITIONS_DIR, RuleFileError, parse_rule, shipped_rules, validate_rule_data

from .conftest import HOSTILE_TEXT

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(HOSTILE_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)
SHIPPED = sorted(shipped_rules())


def _raw(code: str) -> dict:
    return json.loads((DEFINITIONS_DIR / f"{code}.json").read_text(encoding="utf-8"))


def _check(data) -> None:
    problems = validate_rule_data(data, filename="fuzz.json")
    assert isinstance(problems, list)
    for path, message in problems:
        assert isinstance(path, str) and message
    if not problems:
        try:
            parse_rule(data, filename="fuzz.json")
        except RuleFileError as exc:
            assert str(exc)


@settings(max_examples=300, deadline=None)
@given(data=JSON)
def test_random_json_is_answered_with_problems(data):
    _check(data)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@settings(max_examples=400, deadline=None)
@given(code=st.sampled_from(SHIPPED), data=st.data())
def test_mutated_shipped_rules_are_answered_with_problems(code, data):
    document = copy.deepcopy(_raw(code))
    paths = [p for p in _paths(document) if p]
    path = data.draw(st.sampled_from(paths))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "delete"]))
    if action == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON)
    _check(document)
