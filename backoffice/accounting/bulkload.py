"""Fast inserts for demo volumes: plain ``executemany`` of prepared tuples.

The ORM's ``bulk_create`` spends ~1 s per 3,000 voucher lines preparing values (and SQLite caps a batch
at 999 parameters); a county's 30k vouchers, 68k lines and 125k balance rows took 80 s that way, about
5 s like this. Only the demo uses it; the values must already be valid for the columns
(datetimes through ``db_datetime``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

BATCH = 2000
#: RecordModel columns every demo row fills (nullable audit columns stay NULL)
RECORD_COLUMNS = (
    "org",
    "region_code",
    "review_status",
    "review_reason",
    "is_history",
    "source_system",
    "source_id",
    "created_at",
    "updated_at",
)


class Inserter:
    """Collects rows of one model as tuples in ``columns`` order and inserts them in batches."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        self.model = model
        self.columns = (*columns, *RECORD_COLUMNS)
        self.rows: list[tuple] = []
        self.now = db_datetime(timezone.now())

    def add(self, values: tuple, *, org_id: int, region_code: str, review_status: str) -> None:
        self.rows.append(
            (*values, org_id, region_code, review_status, "", False, "demo", "", self.now, self.now)
        )

    def flush(self, *, explicit_ids: bool = False) -> int:
        opts = self.model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(opts.get_field(name).column) for name in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH):
                cursor.executemany(sql, self.rows[start : start + BATCH])
            if explicit_ids:
                for statement in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(statement)
        return len(self.rows)


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def db_datetime(value: datetime):
    """An aware datetime as the backend stores it (naive UTC text on SQLite); dates and Decimals are
    adapted by the database drivers themselves."""
    return connection.ops.adapt_datetimefield_value(value)
