"""Shared bases: RecordModel, region scoping, review workflow, the record-type spec and its generated admin.

No concrete record models live here (DESIGN.md §2).
"""
