"""Backups (DOMAIN.md §8: backups and a tested restore).

A backup is one ``.tar.gz`` holding ``manifest.json`` (vendor, time, per-table row count and checksum),
the database (SQLite: a consistent copy made with the online backup API while the site runs;
PostgreSQL: ``pg_dump --format=custom``) and the uploaded files (``media/``). ``restore`` puts both back
and verifies every table against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot proceed; the message says why in Chinese."""


def table_checksums() -> dict[str, dict[str, object]]:
    """Row count and a SHA-256 over every row (ordered by all columns) of every table."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            ncols = len(cursor.description)
            rows = sorted(repr(tuple(_canonical(v) for v in row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = {"rows": len(rows), "sha256": digest, "columns": ncols}
    return result


def _canonical(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = [
        "-h",
        s.get("HOST") or "127.0.0.1",
        "-p",
        str(s.get("PORT") or 5432),
        "-U",
        s.get("USER") or "postgres",
    ]
    return args, env


def backup_create(*, out_dir: Path) -> Path:
    """Write a backup archive into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"sanzi-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        manifest = {
            "format": FORMAT_VERSION,
            "vendor": connection.vendor,
            "created": datetime.now().isoformat(),
            "tables": table_checksums(),
        }
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(work / "db.sqlite3")
            connection.connection.backup(dest)
            dest.close()
        elif connection.vendor == "postgresql":
            args, env = _pg_env()
            run = subprocess.run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "-f",
                    str(work / "db.dump"),
                    connection.settings_dict["NAME"],
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode:
                raise BackupError(f"pg_dump 失败：{run.stderr.strip()}")
        else:
            raise BackupError(f"不支持的数据库类型：{connection.vendor}")
        (work / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with tarfile.open(target, "w:gz") as archive:
            for name in ("manifest.json", "db.sqlite3", "db.dump"):
                if (work / name).exists():
                    archive.add(work / name, arcname=name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
    return target


def backup_restore(*, archive_path: Path) -> dict[str, object]:
    """Restore database and files from an archive; returns the verification result (raises on mismatch)."""
    if not archive_path.exists():
        raise BackupError(f"备份文件“{archive_path}”不存在")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")  # refuses absolute paths and links outside the folder
        manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(f"备份来自 {manifest.get('vendor')} 数据库，不能恢复到 {connection.vendor}")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(work / "db.sqlite3")
            source.backup(connection.connection)
            source.close()
        else:
            connection.close()
            args, env = _pg_env()
            run = subprocess.run(
                [
                    "pg_restore",
                    *args,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "-d",
                    connection.settings_dict["NAME"],
                    str(work / "db.dump"),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode:
                raise BackupError(f"pg_restore 失败：{run.stderr.strip()[-2000:]}")
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    actual = table_checksums()
    expected = manifest["tables"]
    differences = sorted(t for t in set(expected) | set(actual) if expected.get(t) != actual.get(t))
    if differences:
        raise BackupError(f"恢复后校验不一致的表：{', '.join(differences)}")
    return {"tables": len(actual), "rows": sum(t["rows"] for t in actual.values())}
