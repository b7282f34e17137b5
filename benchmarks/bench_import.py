"""Import benchmark (issue 4): one command, prints rows/s, the ratio to stock django-import-export, peak RSS
and the preview page size.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--baseline-rows 20000]

A fresh SQLite database under var/bench/ (migrated, tiny demo seeded) is copied for each scenario so that
the stock baseline and ours start from the same state. Each scenario runs in its own process (peak RSS from
``resource.getrusage``). The workbook has ``--rows`` contracts (FK to the organisation by credit code,
choices as Chinese labels, ISO dates so that the stock widgets can read them too, an encrypted ID number)
written with xlsxwriter. (The messy-sheet cases are covered by tests/imports, not timed here.)

- stock: ``import_export`` ModelResource with Chinese column names and a ``ForeignKeyWidget`` on the org's
  credit code, file read by import-export's own XLSX format (openpyxl), ``import_data`` (dry_run=False),
  on the first ``--baseline-rows`` rows of the same file (the stock path is ~100× slower; its rows/s is
  what the ratio uses — ``--baseline-rows 0`` runs the whole file);
- ours: the staged job end to end — store the upload, read + validate + stage (dry run), commit;
- updates: the same file with every amount changed, imported again (100 % updates);
- preview: the job page for the update job rendered by the admin (bytes).

The 1,000,000-row streaming-memory target is not measured here: the reader holds the whole sheet (calamine)
and the validator the file's keys and the existing rows in memory, so it is not met (see imports/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
HEADER = [
    "集体经济组织",
    "合同编号",
    "合同名称",
    "合同类型",
    "乙方名称",
    "乙方类型",
    "乙方证件号",
    "数量",
    "计量单位",
    "单价",
    "合同总金额",
    "付款方式",
    "起始日期",
    "终止日期",
    "签订日期",
    "合同状态",
]


def _env(db: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{db}",
        MEDIA_ROOT=str(WORK / "media"),
        DJANGO_SETTINGS_MODULE="backoffice.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _django(db: Path) -> None:
    os.environ.update(_env(db))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, db: Path, *args: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--db", str(db), *args]
    out = subprocess.run(cmd, env=_env(db), cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-5000:])
        raise SystemExit(f"phase {name} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- phases (each in its own process) ------------------------------------------------------------------
def phase_setup(db: Path) -> dict:
    _django(db)
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    return {"seconds": round(time.perf_counter() - t, 1)}


def _resident_id(serial: int) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"14012119800101{serial % 10000:04d}"[:17]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def phase_generate(db: Path, rows: int, path: Path, bump: int, fmt: str) -> dict:
    _django(db)
    from backoffice.regions.models import CollectiveOrg

    codes = list(CollectiveOrg.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    t = time.perf_counter()
    types, kinds, units, modes, statuses = (
        ["出租", "发包", "入股"],
        ["个人"],
        ["亩", "间"],
        ["按年", "分期"],
        ["履行中"],
    )

    def row(i: int) -> list:
        return [
            codes[i % len(codes)],
            f"BENCH-{i:07d}",
            f"集体土地出租合同{i}",
            types[i % 3],
            f"承租人{i % 5000}",
            kinds[0],
            _resident_id(i),
            10 + i % 7,
            units[i % 2],
            500,
            5000.5 + i % 1000 + bump,
            modes[i % 2],
            "2024-03-01",
            "2029-02-28",
            "2024-02-15",
            statuses[0],
        ]

    if fmt == "csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for i in range(rows):
                writer.writerow(row(i))
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        for i in range(rows):
            sheet.write_row(i + 1, 0, row(i))
        book.close()
    return {"seconds": round(time.perf_counter() - t, 1), "bytes": path.stat().st_size}


def phase_stock(db: Path, path: Path, limit: int) -> dict:
    _django(db)
    from import_export import fields, resources, widgets
    from import_export.formats.base_formats import XLSX

    from backoffice.contracts.models import Contract
    from backoffice.regions.models import CollectiveOrg

    names = [
        "org",
        "contract_no",
        "name",
        "contract_type",
        "party_b_name",
        "party_b_kind",
        "party_b_id",
        "quantity",
        "unit",
        "unit_price",
        "total_amount",
        "payment_mode",
        "term_start",
        "term_end",
        "signed_on",
        "status",
    ]
    attrs = {
        n: fields.Field(
            attribute=n,
            column_name=h,
            widget=widgets.ForeignKeyWidget(CollectiveOrg, "credit_code") if n == "org" else None,
        )
        for n, h in zip(names, HEADER, strict=True)
    }
    attrs["Meta"] = type(
        "Meta", (), {"model": Contract, "fields": tuple(names), "import_id_fields": ("org", "contract_no")}
    )
    stock = type("StockContractResource", (resources.ModelResource,), attrs)
    t0 = time.perf_counter()
    dataset = XLSX().create_dataset(path.read_bytes())
    file_rows = len(dataset)
    if limit:
        del dataset[limit:]
    t1 = time.perf_counter()
    result = stock().import_data(dataset, dry_run=False, raise_errors=False)
    t2 = time.perf_counter()
    # the whole file is read but only ``limit`` rows imported: charge the read pro rata
    seconds = (t1 - t0) * len(dataset) / file_rows + (t2 - t1)
    return {
        "rows": len(dataset),
        "read_whole_file": round(t1 - t0, 2),
        "import": round(t2 - t1, 2),
        "total": round(seconds, 2),
        "rows_per_s": round(len(dataset) / seconds, 1),
        "errors": len(result.row_errors()) + len(result.invalid_rows),
        "rss_mb": round(_rss_mb()),
    }


def phase_ours(db: Path, path: Path, commit: bool) -> dict:
    _django(db)
    from backoffice.accounts.models import User
    from backoffice.contracts.models import Contract
    from imports import engine
    from imports.models import ImportJob

    user = User.objects.get(username="admin")
    t0 = time.perf_counter()
    job = ImportJob(
        original_name=path.name,
        model_label="contracts.Contract",
        user=user,
        policy=ImportJob.Policy.ALL_OR_NOTHING,
    )
    from django.core.files.base import ContentFile

    job.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    job.save()
    t1 = time.perf_counter()
    engine.validate_job(job.pk)
    t2 = time.perf_counter()
    job.refresh_from_db()
    out = {
        "rows": job.total_rows,
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "invalid": job.invalid_count,
        "status": job.status,
        "store": round(t1 - t0, 2),
        "dry_run": round(t2 - t1, 2),
    }
    if commit:
        engine.commit_job(job.pk)
        job.refresh_from_db()
        out["status"] = job.status
    t3 = time.perf_counter()
    out.update(
        commit=round(t3 - t2, 2),
        total=round(t3 - t0, 2),
        rows_per_s=round(job.total_rows / (t3 - t0)),
        rss_mb=round(_rss_mb()),
        job=job.pk,
        contracts=Contract.objects.count(),
    )
    return out


def phase_preview(db: Path, job_id: int) -> dict:
    _django(db)
    from django.test import Client
    from django.urls import reverse

    from backoffice.accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username="admin"))
    t = time.perf_counter()
    sizes = {}
    for show in ("changes", "new", "invalid"):
        response = client.get(reverse("admin:imports_importjob_change", args=[job_id]), {"show": show})
        assert response.status_code == 200, response.status_code
        sizes[show] = len(response.content)
    return {"bytes": max(sizes.values()), "seconds": round(time.perf_counter() - t, 2)}


# ---- driver --------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--phase")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--fmt", default="xlsx")
    parser.add_argument("--commit", action="store_true")
    args = parser.parse_args()
    if args.phase:
        result = {
            "setup": lambda: phase_setup(args.db),
            "generate": lambda: phase_generate(
                args.db,
                args.n,
                args.file,
                0 if args.fmt != "bump" else 1,
                "csv" if args.file.suffix == ".csv" else "xlsx",
            ),
            "stock": lambda: phase_stock(args.db, args.file, args.n),
            "ours": lambda: phase_ours(args.db, args.file, args.commit),
            "preview": lambda: phase_preview(args.db, args.n),
        }[args.phase]()
        print(json.dumps(result, ensure_ascii=False))
        return

    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True)
    base = WORK / "base.sqlite3"
    report: dict = {"setup": _phase("setup", base)}
    print(f"setup (migrate + tiny demo): {report['setup']['seconds']} s", flush=True)
    data = WORK / f"contracts_{args.rows}.xlsx"
    bumped = WORK / f"contracts_{args.rows}_updated.xlsx"
    print("generate:", _phase("generate", base, "--n", str(args.rows), "--file", str(data)), flush=True)
    print(
        "generate:",
        _phase("generate", base, "--n", str(args.rows), "--file", str(bumped), "--fmt", "bump"),
        flush=True,
    )

    def fresh(name: str) -> Path:
        target = WORK / f"{name}.sqlite3"
        shutil.copy(base, target)
        return target

    stock = _phase("stock", fresh("stock"), "--file", str(data), "--n", str(args.baseline_rows))
    print("stock django-import-export:", stock, flush=True)
    ours_db = fresh("ours")
    ours = _phase("ours", ours_db, "--file", str(data), "--commit")
    print("ours, inserts:", ours, flush=True)
    updates = _phase("ours", ours_db, "--file", str(bumped), "--commit")
    print("ours, updates:", updates, flush=True)
    preview = _phase("preview", ours_db, "--n", str(updates["job"]))
    print("preview page:", preview, flush=True)

    print()
    print(f"{'scenario':42} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS':>9}")
    print(
        f"{'stock import-export (read pro rata + import)':42} {stock['rows']:>8} {stock['total']:>8} "
        f"{stock['rows_per_s']:>8} {stock['rss_mb']:>6} MB"
    )
    print(
        f"{'ours inserts (store+read+validate+commit)':42} {ours['rows']:>8} {ours['total']:>8} "
        f"{ours['rows_per_s']:>8} {ours['rss_mb']:>6} MB"
    )
    print(
        f"{'ours updates (100% changed rows)':42} {updates['rows']:>8} {updates['total']:>8} "
        f"{updates['rows_per_s']:>8} {updates['rss_mb']:>6} MB"
    )
    print(f"ratio ours/stock (inserts, rows/s): {ours['rows_per_s'] / stock['rows_per_s']:.1f}x")
    print(f"preview page: {preview['bytes']:,} bytes (largest of the three tabs)")
    print(
        f"targets: inserts >= 20,000 rows/s: {'met' if ours['rows_per_s'] >= 20000 else 'MISSED'}; "
        f">= 10x stock: {'met' if ours['rows_per_s'] >= 10 * stock['rows_per_s'] else 'MISSED'}; "
        f"updates >= 5,000 rows/s: {'met' if updates['rows_per_s'] >= 5000 else 'MISSED'}; "
        f"preview < 1 MB: {'met' if preview['bytes'] < 1_000_000 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
