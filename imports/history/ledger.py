"""The books: account sets, accounts (2004 codes kept as they are), their 2023 counterparts through the
versioned mapping table, posted vouchers with their lines, and period balances; then the checks
(debit = credit per voucher and per period, trial-balance carry-forward, vouchers vs balances, and the
2024-01 opening of the new chart against the mapped 2023-12 closing of the old one)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from backoffice.accounting.choices import AccountClass, ChartVersion
from backoffice.accounting.models import (
    CHART_2023_FIRST_PERIOD,
    Account,
    AccountMapping,
    AccountSet,
    ChartAccount,
    PeriodBalance,
)
from backoffice.accounting.reference import MAPPING_2023_20

from .base import Rejection
from .checks import LedgerChecks
from .files import ZERO, chart_of, free_text, money, open_sheet, text
from .records import ORG_ID, SOURCE_ID
from .vouchers import VoucherLoader

ACCOUNT_HEADERS = [ORG_ID, "会计制度", "科目编码", "科目名称", "科目类别", "余额方向", SOURCE_ID]
BALANCE_HEADERS = [
    ORG_ID,
    "会计制度",
    "科目编码",
    "会计期间",
    "期初余额",
    "本期借方发生额",
    "本期贷方发生额",
    "期末余额",
    SOURCE_ID,
]
CLASSES = {**{c.value: c.value for c in AccountClass}, **{str(c.label): c.value for c in AccountClass}}
CLASSES.update(
    {"资产": "asset", "负债": "liability", "所有者权益": "equity", "权益": "equity", "成本": "cost"}
)
BALANCES = {"借": "D", "贷": "C", "D": "D", "C": "C"}


class Ledger(VoucherLoader, LedgerChecks):
    def __init__(self, run):
        self.run = run
        self.sets: dict[tuple[int, str], AccountSet] = {}
        #: (org pk, chart) → code → Account
        self.accounts: dict[tuple[int, str], dict[str, Account]] = defaultdict(dict)
        self.chart = {(c.chart_version, c.code): c for c in ChartAccount.objects.all()}
        self.maps: dict[str, list[AccountMapping]] = defaultdict(list)
        for m in AccountMapping.objects.filter(mapping_version=MAPPING_2023_20):
            self.maps[m.old_code].append(m)
        #: accepted rows for the checks
        self.voucher_moves: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        self.balances: dict[tuple, dict[str, tuple]] = defaultdict(dict)  # (org, chart, code) → period → row

    # ---- account sets and accounts ---------------------------------------------------------------------
    def account_set(self, org, chart: str, report, sheet, number) -> AccountSet | None:
        key = (org.pk, chart)
        if key in self.sets:
            return self.sets[key]
        start = "202201" if chart == ChartVersion.V2004 else CHART_2023_FIRST_PERIOD
        existing = AccountSet.objects.filter(org=org, chart_version=chart).first()
        values = {"org_id": org.pk, "chart_version": chart}
        if existing is None:
            values |= {"start_period": start, "name": f"{org.name}（{chart}版）"}
        aset = self.run.upserter.upsert(
            AccountSet,
            existing.source_id if existing is not None and existing.source_id else f"{org.source_id}:{chart}",
            values,
            report=report,
            entity="account_sets",
            sheet=sheet,
            number=number,
            labels={"chart_version": "会计制度"},
            existing=existing,
        )
        if aset is not None:
            self.sets[key] = aset
            self.accounts[key] = {a.code: a for a in Account.objects.filter(account_set=aset)}
        return aset

    def load_accounts(self) -> None:
        sheet = open_sheet(self.run.folder, "accounts", ACCOUNT_HEADERS)
        if sheet is None:
            return
        labels = {
            "code": "科目编码",
            "name": "科目名称",
            "parent": "科目编码",
            "level": "科目编码",
            "account_class": "科目类别",
            "normal_balance": "余额方向",
            "account_set": "会计制度",
        }
        rows = sorted(
            sheet.rows, key=lambda r: (len(text(r[1].get("科目编码"))), text(r[1].get("科目编码")), r[0])
        )
        old_accounts = []
        for number, row in rows:
            report, org = self.run.org_of(sheet, number, row)
            if org is None:
                report.count("accounts", "rejected")
                continue
            code, name = text(row.get("科目编码")), free_text(row.get("科目名称"))
            chart = chart_of(row.get("会计制度"))
            if chart is None:
                report.rejected.append(
                    Rejection(
                        sheet.name,
                        number,
                        sheet.where("会计制度"),
                        f"“{text(row.get('会计制度'))}”不是有效的会计制度（填 2004 或 2023）",
                    )
                )
                report.count("accounts", "rejected")
                continue
            aset = self.account_set(org, chart, report, sheet, number)
            if aset is None:
                report.count("accounts", "rejected")
                continue
            sid = text(row.get(SOURCE_ID)) or f"{org.source_id}:{chart}:{code}"
            account = self._save_account(
                org, aset, chart, code, name, row, sid, report, sheet, number, labels
            )
            if account is not None and chart == ChartVersion.V2004:
                old_accounts.append((org, account, report, sheet, number))
        for org, account, report, sheet, number in sorted(
            old_accounts, key=lambda a: (a[0].pk, len(a[1].code), a[1].code)
        ):
            self._map(org, account, report, sheet, number)

    def _save_account(self, org, aset, chart, code, name, row, sid, report, sheet, number, labels):
        key = (org.pk, chart)
        first = self.chart.get((chart, code[:3]))
        klass = CLASSES.get(text(row.get("科目类别"))) or (first.account_class if first else "")
        balance = BALANCES.get(text(row.get("余额方向")).upper()) or (first.normal_balance if first else "")
        parent = next(
            (
                self.accounts[key][code[:n]]
                for n in range(len(code) - 1, 2, -1)
                if code[:n] in self.accounts[key]
            ),
            None,
        )
        values = {
            "org_id": org.pk,
            "account_set_id": aset.pk,
            "code": code,
            "name": name or (first.name if first and len(code) == 3 else ""),
            "parent_id": parent.pk if parent else None,
            "level": parent.level + 1 if parent else 1,
            "account_class": klass,
            "normal_balance": balance,
        }
        existing = self.run.upserter.find(Account, sid) or self.accounts[key].get(code)
        if existing is not None and existing.source_id and existing.source_id != sid:
            existing = None if existing.source_system != self.run.source else existing
        account = self.run.upserter.upsert(
            Account,
            sid,
            values,
            report=report,
            entity="accounts",
            sheet=sheet,
            number=number,
            labels=labels,
            existing=existing,
        )
        if account is not None:
            self.accounts[key][code] = account
        return account

    # ---- 2004 → 2023 through the versioned mapping table --------------------------------------------------
    def _map(self, org, account, report, sheet, number) -> None:
        old3 = account.code[:3]
        rows = self.maps.get(old3, [])
        entry = {
            "old_code": account.code,
            "old_name": account.name,
            "new_code": "",
            "new_name": "",
            "mapping_version": MAPPING_2023_20,
            "status": "",
            "note": "",
        }
        report.mapping.append(entry)
        if not rows:
            entry["status"] = "无对照"
            entry["note"] = f"对照表（{MAPPING_2023_20}版）中没有旧科目 {old3}，未转换；请补充对照关系"
            return
        if len(rows) > 1 or any(r.needs_official_appendix for r in rows):
            entry["status"] = "待核对官方附表"
            entry["new_code"] = "、".join(r.new_code + account.code[3:] for r in rows)
            entry["note"] = rows[0].note or "对照表标注需按财会〔2023〕20号官方附表核对，未自动转换"
            return
        target = rows[0]
        new_code = target.new_code + account.code[3:]
        entry["new_code"] = new_code
        new_set = self.account_set(org, ChartVersion.V2023, report, sheet, number)
        if new_set is None:
            entry["status"] = "未转换"
            entry["note"] = "无法建立2023版账套"
            return
        key = (org.pk, ChartVersion.V2023)
        sid = f"{account.source_id}@{MAPPING_2023_20}"
        occupant = self.accounts[key].get(new_code)
        if occupant is not None and occupant.source_id != sid:
            entry["status"] = "已并入"
            entry["new_name"] = occupant.name
            entry["note"] = f"新科目 {new_code} 已存在（{occupant.name}），本科目余额转入该科目"
            return
        first = self.chart.get((ChartVersion.V2023, target.new_code))
        name = first.name if len(new_code) == 3 and first else account.name
        saved = self._save_account(
            org,
            new_set,
            ChartVersion.V2023,
            new_code,
            name,
            {},
            sid,
            report,
            sheet,
            number,
            {"code": "科目编码", "parent": "科目编码"},
        )
        if saved is None:
            entry["status"] = "未转换"
            entry["note"] = "新科目未能建立（见被拒绝的行）"
            return
        entry["status"] = "已转换"
        entry["new_name"] = saved.name
        entry["note"] = target.note

    # ---- period balances --------------------------------------------------------------------------------
    def load_balances(self) -> None:
        sheet = open_sheet(self.run.folder, "balances", BALANCE_HEADERS)
        if sheet is None:
            return
        labels = {
            "opening": "期初余额",
            "debit": "本期借方发生额",
            "credit": "本期贷方发生额",
            "closing": "期末余额",
            "period": "会计期间",
            "account": "科目编码",
        }
        for number, row in sheet.rows:
            report, org = self.run.org_of(sheet, number, row)
            if org is None:
                report.count("balances", "rejected")
                continue
            period, code = text(row.get("会计期间")), text(row.get("科目编码"))
            chart = chart_of(row.get("会计制度"), period)
            account = self.accounts.get((org.pk, chart), {}).get(code)
            problems = []
            if account is None:
                problems.append(("科目编码", f"科目编码“{code}”不在该组织的{chart}版科目中"))
            amounts = {}
            for name, label in (
                ("opening", "期初余额"),
                ("debit", "本期借方发生额"),
                ("credit", "本期贷方发生额"),
                ("closing", "期末余额"),
            ):
                try:
                    amounts[name] = money(row.get(label))
                except ValueError as exc:
                    problems.append((label, str(exc)))
            if problems:
                for label, message in problems:
                    report.rejected.append(Rejection(sheet.name, number, sheet.where(label), message))
                report.count("balances", "rejected")
                continue
            sid = text(row.get(SOURCE_ID)) or f"{org.source_id}:{chart}:{code}:{period}"
            values = {"org_id": org.pk, "account_id": account.pk, "period": period, **amounts}
            saved = self.run.upserter.upsert(
                PeriodBalance,
                sid,
                values,
                report=report,
                entity="balances",
                sheet=sheet,
                number=number,
                labels=labels,
            )
            if saved is not None:
                self.balances[(org.pk, chart, code)][period] = (
                    amounts["opening"],
                    amounts["debit"],
                    amounts["credit"],
                    amounts["closing"],
                )
