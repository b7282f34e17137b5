"""Data in and out: import/export resources generated from the record-type spec, templates, staged
import jobs, bank feeds, history migration and the data-exchange API (DESIGN.md §5)."""
