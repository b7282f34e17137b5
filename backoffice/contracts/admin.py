"""Admin of 承包（租赁）合同: generated from each record type's spec."""
