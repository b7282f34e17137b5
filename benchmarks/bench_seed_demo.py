"""Time `seed_demo` at a scale into a fresh SQLite file and print row counts per record type.

    DEBUG=1 .venv/bin/python benchmarks/bench_seed_demo.py --scale county
    DEBUG=1 .venv/bin/python benchmarks/bench_seed_demo.py --scale city

Each run migrates a new database under var/bench/ (migrations included, like `make demo`) and reports
the seconds of migrate and of seed_demo separately, the peak RSS, and the rows of every model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNT_ROWS = (
    "import json; from django.apps import apps; "
    "print(json.dumps({m._meta.label: m._default_manager.count() "
    "for m in apps.get_models() if m.__module__.startswith('backoffice.')}))"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=("tiny", "county", "city"), default="county")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    db = ROOT / "var" / "bench" / f"seed_{args.scale}.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    migrated = time.perf_counter()
    seeded = subprocess.run(
        [*manage, "seed_demo", "--scale", args.scale, "--seed", str(args.seed), "--as-of", "2026-11-26"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    finished = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads(seeded.stdout.strip().splitlines()[-1])
    counts = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            COUNT_ROWS,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = json.loads(counts.stdout.strip().splitlines()[-1])
    print(
        f"scale={args.scale} migrate={migrated - started:.1f}s seed_demo={finished - migrated:.1f}s "
        f"peak_rss={peak_mb:.0f}MB total_rows={sum(rows.values())}"
    )
    for label, count in sorted(rows.items()):
        print(f"  {label:<36} {count:>10,}")
    print(
        json.dumps(
            {
                "scale": args.scale,
                "migrate_s": round(migrated - started, 1),
                "seed_s": round(finished - migrated, 1),
                "peak_rss_mb": round(peak_mb),
                "seed_demo_summary": summary,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
