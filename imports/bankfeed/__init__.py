"""Bank feed (银农直连) statement import: adapters per file layout, idempotent ingest with the balance
continuity check, and a job for the admin upload (issue 4 item 7). See README.md in this folder."""
