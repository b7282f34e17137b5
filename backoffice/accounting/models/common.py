"""Constants shared by the accounting record types."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import RegexValidator

PERIOD_VALIDATOR = RegexValidator(r"^20\d{2}(0[1-9]|1[0-2])$", "会计期间应为6位年月，例如202401")
#: 2023 chart applies from 2024-01-01; the 2004 chart to 2023-12-31 [M]
CHART_2023_FIRST_PERIOD = "202401"
#: balance tolerance for checks done in the database (SQLite stores decimals as numbers)
CENT = Decimal("0.005")
