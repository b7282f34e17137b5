"""承包（租赁）合同 (Contracting and leasing contracts): monitoring module."""
