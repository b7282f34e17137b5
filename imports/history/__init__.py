"""History migration (``manage.py migrate_history <folder>``, issue 4 item 8): a vendor's full export since
2022-01-01 loaded idempotently by ``source_system``/``source_id``, 2004-chart accounts mapped to the 2023
chart through the versioned mapping table, and a validation report per organisation. See README.md."""
