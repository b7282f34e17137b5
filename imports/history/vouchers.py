"""Posted vouchers and their lines from vouchers.csv + voucher_lines.csv (mixed into ``Ledger``).

A voucher is loaded whole or not at all: any bad line, or debit ≠ credit, rejects the voucher with the
rows named. Lines are checked here (one side, not negative, a leaf account of the voucher's chart) because
the model's ``clean()`` refuses any line edit of a posted voucher, which migrated vouchers are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from backoffice.accounting.choices import VoucherSource, VoucherStatus
from backoffice.accounting.models import Voucher, VoucherLine
from backoffice.accounting.periods import period_of

from ..reading import parse_date
from .base import Rejection
from .files import ZERO, chart_of, free_text, money, open_sheet, text
from .records import SOURCE_ID

VOUCHER_HEADERS = [
    "组织编号",
    SOURCE_ID,
    "凭证字",
    "凭证号",
    "凭证日期",
    "会计期间",
    "摘要",
    "附单据数",
    "制单人",
    "审核人",
    "记账人",
]
LINE_HEADERS = ["凭证来源编号", SOURCE_ID, "行号", "科目编码", "摘要", "借方金额", "贷方金额"]


class VoucherLoader:
    # ---- vouchers ---------------------------------------------------------------------------------------
    def load_vouchers(self) -> None:
        sheet = open_sheet(self.run.folder, "vouchers", VOUCHER_HEADERS)
        if sheet is None:
            return
        lines_sheet = open_sheet(self.run.folder, "voucher_lines", LINE_HEADERS)
        lines: dict[str, list] = defaultdict(list)
        if lines_sheet is not None:
            for number, row in lines_sheet.rows:
                lines[text(row.get("凭证来源编号"))].append((number, row))
        seen_lines = set()
        labels = {
            "voucher_date": "凭证日期",
            "period": "会计期间",
            "number": "凭证号",
            "voucher_word": "凭证字",
            "summary": "摘要",
            "account_set": "会计期间",
        }
        for number, row in sheet.rows:
            report, org = self.run.org_of(sheet, number, row)
            if org is None:
                report.count("vouchers", "rejected")
                continue
            sid = text(row.get(SOURCE_ID))
            seen_lines.add(sid)
            problems = []
            try:
                day = parse_date(row.get("凭证日期"))
            except (ValueError, TypeError) as exc:
                problems.append(("凭证日期", str(exc)))
                day = None
            period = text(row.get("会计期间")) or (period_of(day) if day else "")
            try:
                voucher_no = int(text(row.get("凭证号")) or "0")
            except ValueError:
                voucher_no = 0
            if voucher_no < 1:
                problems.append(("凭证号", f"“{text(row.get('凭证号'))}”不是有效的凭证号（正整数）"))
            if not sid:
                problems.append((SOURCE_ID, "来源编号不能为空"))
            chart = chart_of(None, period) if period else None
            aset = self.sets.get((org.pk, chart)) if chart else None
            if chart and aset is None:
                problems.append(
                    ("会计期间", f"该组织没有{chart}版科目（accounts 文件），期间 {period} 的凭证无法入账")
                )
            resolved, line_problems = self._lines(org, chart, lines.get(sid, []), lines_sheet)
            if problems or line_problems:
                for label, message in problems:
                    report.rejected.append(Rejection(sheet.name, number, sheet.where(label), message))
                report.rejected.extend(line_problems)
                if line_problems and not problems:
                    report.rejected.append(
                        Rejection(
                            sheet.name,
                            number,
                            "整行",
                            "凭证的分录有错误（见 voucher_lines 文件中的行），整张凭证未导入",
                        )
                    )
                report.count("vouchers", "rejected")
                continue
            debit = sum((d for _, _, _, d, _, _ in resolved), ZERO)
            credit = sum((c for _, _, _, _, c, _ in resolved), ZERO)
            if not resolved or debit != credit:
                reason = (
                    "凭证没有分录"
                    if not resolved
                    else f"借贷不平衡：借方合计 {debit:,.2f} 元，贷方合计 {credit:,.2f} 元，"
                    f"相差 {debit - credit:,.2f} 元；整张凭证未导入"
                )
                report.rejected.append(Rejection(sheet.name, number, "整行", reason))
                report.count("vouchers", "rejected")
                continue
            posted_at = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
            values = {
                "org_id": org.pk,
                "account_set_id": aset.pk,
                "voucher_word": text(row.get("凭证字")) or "记",
                "number": voucher_no,
                "voucher_date": day,
                "period": period,
                "summary": free_text(row.get("摘要"))[:200],
                "attachments_count": int(money(row.get("附单据数"))),
                "total_amount": debit,
                "status": VoucherStatus.POSTED,
                "source": VoucherSource.MIGRATION,
                "preparer_name": free_text(row.get("制单人"))[:40],
                "reviewer_name": free_text(row.get("审核人"))[:40],
                "poster_name": free_text(row.get("记账人"))[:40],
            }
            existing = self.run.upserter.find(Voucher, sid)
            if existing is None or existing.posted_at is None:
                values["posted_at"] = posted_at
            voucher = self.run.upserter.upsert(
                Voucher,
                sid,
                values,
                report=report,
                entity="vouchers",
                sheet=sheet,
                number=number,
                labels=labels,
                existing=existing,
            )
            if voucher is None:
                continue
            self._save_lines(voucher, resolved, report, lines_sheet)
            for _line_sid, _n, account, d, c, _row in resolved:
                move = self.voucher_moves[(org.pk, chart, period, account.code)]
                move[0] += d
                move[1] += c
        if lines_sheet is not None:
            for voucher_sid, items in lines.items():
                if voucher_sid not in seen_lines:
                    for number, _row in items:
                        self.run.unassigned.rejected.append(
                            Rejection(
                                lines_sheet.name,
                                number,
                                lines_sheet.where("凭证来源编号"),
                                f"凭证来源编号“{voucher_sid}”在 vouchers 文件中找不到",
                            )
                        )

    def _lines(self, org, chart, items, sheet):
        """Checked lines of one voucher: (source id, line no, account, debit, credit, summary)."""
        resolved, problems = [], []
        accounts = self.accounts.get((org.pk, chart), {})
        parents = {a.parent_id for a in accounts.values() if a.parent_id}
        for number, row in items:
            code = text(row.get("科目编码"))
            try:
                debit, credit = money(row.get("借方金额")), money(row.get("贷方金额"))
            except ValueError as exc:
                problems.append(Rejection(sheet.name, number, sheet.where("借方金额"), str(exc)))
                continue
            account = accounts.get(code)
            if account is None:
                problems.append(
                    Rejection(
                        sheet.name,
                        number,
                        sheet.where("科目编码"),
                        f"科目编码“{code}”不在该组织的{chart}版科目中",
                    )
                )
                continue
            if account.pk in parents:
                problems.append(
                    Rejection(
                        sheet.name,
                        number,
                        sheet.where("科目编码"),
                        f"科目“{code} {account.name}”有明细科目，凭证应记到最末级科目",
                    )
                )
                continue
            if debit < 0 or credit < 0 or (debit == 0) == (credit == 0):
                problems.append(
                    Rejection(
                        sheet.name,
                        number,
                        sheet.where("借方金额"),
                        "借方金额、贷方金额只能填写一方，且不能为负数或0",
                    )
                )
                continue
            try:
                line_no = int(text(row.get("行号")) or len(resolved) + 1)
            except ValueError:
                line_no = len(resolved) + 1
            sid = text(row.get(SOURCE_ID)) or f"{text(row.get('凭证来源编号'))}:{line_no}"
            resolved.append((sid, line_no, account, debit, credit, free_text(row.get("摘要"))[:200]))
        return resolved, problems

    def _save_lines(self, voucher, resolved, report, sheet) -> None:
        """Lines of a posted voucher: checked above (the model's clean refuses edits of posted vouchers)."""
        keep = []
        for sid, line_no, account, debit, credit, summary in resolved:
            keep.append(sid)
            values = {
                "voucher_id": voucher.pk,
                "org_id": voucher.org_id,
                "line_no": line_no,
                "account_id": account.pk,
                "summary": summary,
                "debit": debit,
                "credit": credit,
            }
            self.run.upserter.upsert(
                VoucherLine,
                sid,
                values,
                report=report,
                entity="voucher_lines",
                sheet=sheet,
                number=0,
                labels={},
                clean=False,
            )
        VoucherLine.objects.filter(voucher=voucher, source_system=self.run.source).exclude(
            source_id__in=keep
        ).delete()
