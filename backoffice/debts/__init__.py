"""债权债务 (Credits and debts): monitoring module."""
