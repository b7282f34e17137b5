"""The migration run: organisations → ledger → other record types → checks → report per organisation.

One database transaction per row (savepoint), not per run: a rerun after fixing the rejected rows picks up
where the export was wrong and leaves everything else unchanged (idempotent by source id). The on-import
alert rules are not triggered: history raises no real-time alerts; the scheduled rules see it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .base import OrgReport, Rejection, Upserter
from .files import Sheet
from .ledger import Ledger
from .records import RECORD_FILES, load_orgs, load_records, org_of
from .report import write_reports


class HistoryMigration:
    def __init__(self, folder: Path, *, user, source_system: str):
        self.folder = Path(folder)
        self.user = user
        self.source = source_system[:40]
        self.upserter = Upserter(self.source, user)
        self.orgs: dict = {}
        self.reports: dict[str, OrgReport] = {}
        self.unassigned = OrgReport("_unassigned", name="无法归属组织的行")

    def report_for(self, vid: str) -> OrgReport:
        if vid not in self.reports:
            self.reports[vid] = OrgReport(vid)
        return self.reports[vid]

    def org_of(self, sheet: Sheet, number: int, row: dict):
        return org_of(self, sheet, number, row)

    def run(self) -> None:
        if not self.folder.is_dir():
            raise FileNotFoundError(f"找不到导出文件夹 {self.folder}")
        with transaction.atomic():
            load_orgs(self)
            ledger = Ledger(self)
            ledger.load_accounts()
            ledger.load_vouchers()
            ledger.load_balances()
            for stem, label in RECORD_FILES:
                load_records(self, stem, label)
            for vid, org in self.orgs.items():
                ledger.check(org, self.report_for(vid))

    def all_reports(self) -> list[OrgReport]:
        reports = [self.reports[k] for k in sorted(self.reports)]
        if self.unassigned.rejected or self.unassigned.warnings or self.unassigned.counts:
            reports.append(self.unassigned)
        return reports

    def summary(self, report_dir: Path | None) -> dict:
        totals: dict[str, dict[str, int]] = {}
        for report in self.all_reports():
            for entity, counter in report.counts.items():
                slot = totals.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0})
                for action in slot:
                    slot[action] += counter.get(action, 0)
        rejected = sum(len(r.rejected) for r in self.all_reports())
        failed = sum(r.failed_checks for r in self.all_reports())
        flagged = sum(1 for r in self.all_reports() for m in r.mapping if m["status"] != "已转换")
        return {
            "source_system": self.source,
            "folder": str(self.folder),
            "organisations": len(self.orgs),
            "rows": dict(sorted(totals.items())),
            "rejected_rows": rejected,
            "failed_checks": failed,
            "mapping_not_converted": flagged,
            "report": str(report_dir) if report_dir else "",
            "ok": rejected == 0 and failed == 0,
        }

    def write(self, report_dir: Path) -> Path:
        report_dir.mkdir(parents=True, exist_ok=True)
        write_reports(self.all_reports(), report_dir, self.source)
        (report_dir / "summary.json").write_text(
            json.dumps(self.summary(report_dir), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return report_dir


__all__ = ["HistoryMigration", "Rejection"]
