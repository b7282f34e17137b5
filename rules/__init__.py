"""Declarative alert rules (JSON files in rules/definitions/), the evaluators, alerts and the supervisors'
alert queue (DESIGN.md §4)."""
