"""The checks of the validation report (mixed into ``Ledger``): per period Σdebit = Σcredit of the leaf
balances and of the vouchers, openings and closings summing to zero (借正贷负), carry-forward (closing of n =
opening of n+1), voucher movements = balance movements per account, and the 2024-01 opening of the new
chart against the 2023-12 closing of the old one carried through the mapping table."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from backoffice.accounting.choices import ChartVersion

ZERO = Decimal("0.00")


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[4:])
    return f"{year + month // 12}{month % 12 + 1:02d}"


class LedgerChecks:
    # ---- checks ---------------------------------------------------------------------------------------
    def check(self, org, report) -> None:
        for chart in (ChartVersion.V2004, ChartVersion.V2023):
            key = (org.pk, chart)
            accounts = self.accounts.get(key, {})
            parents = {a.parent_id for a in accounts.values() if a.parent_id}
            leaves = {c for c, a in accounts.items() if a.pk not in parents}
            per_period: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 6)
            for (o, ch, code), by_period in self.balances.items():
                if (o, ch) != key or code not in leaves:
                    continue
                for period, (opening, debit, credit, closing) in by_period.items():
                    sums = per_period[period]
                    sums[0] += opening
                    sums[1] += debit
                    sums[2] += credit
                    sums[3] += closing
            for (o, ch, period, _code), (d, c) in self.voucher_moves.items():
                if (o, ch) == key:
                    per_period[period][4] += d
                    per_period[period][5] += c
            for period in sorted(per_period):
                opening, debit, credit, closing, vd, vc = per_period[period]
                ok = debit == credit and vd == vc and opening == 0 and closing == 0
                report.periods.append(
                    {
                        "chart": chart,
                        "period": period,
                        "balance_debit": str(debit),
                        "balance_credit": str(credit),
                        "opening_sum": str(opening),
                        "closing_sum": str(closing),
                        "voucher_debit": str(vd),
                        "voucher_credit": str(vc),
                        "ok": ok,
                    }
                )
            for (o, ch, code), by_period in sorted(self.balances.items()):
                if (o, ch) != key:
                    continue
                for period in sorted(by_period):
                    following = next_period(period)
                    if following in by_period and by_period[period][3] != by_period[following][0]:
                        report.carry_forward.append(
                            {
                                "chart": chart,
                                "account": code,
                                "period": period,
                                "closing": str(by_period[period][3]),
                                "next_period": following,
                                "next_opening": str(by_period[following][0]),
                            }
                        )
                    move = self.voucher_moves.get((org.pk, ch, period, code))
                    if move is not None and (move[0], move[1]) != by_period[period][1:3]:
                        report.voucher_vs_balance.append(
                            {
                                "chart": chart,
                                "account": code,
                                "period": period,
                                "voucher_debit": str(move[0]),
                                "voucher_credit": str(move[1]),
                                "balance_debit": str(by_period[period][1]),
                                "balance_credit": str(by_period[period][2]),
                            }
                        )
        self._opening_2024(org, report)

    def _opening_2024(self, org, report) -> None:
        """The new books open with the old 2023-12 closing carried through the mapping (财会〔2023〕20号)."""
        old_key, new_key = (org.pk, ChartVersion.V2004), (org.pk, ChartVersion.V2023)
        old_parents = {a.parent_id for a in self.accounts.get(old_key, {}).values() if a.parent_id}
        old_leaves = {c for c, a in self.accounts.get(old_key, {}).items() if a.pk not in old_parents}
        new_parents = {a.parent_id for a in self.accounts.get(new_key, {}).values() if a.parent_id}
        new_leaves = {c for c, a in self.accounts.get(new_key, {}).items() if a.pk not in new_parents}
        expected: dict[str, Decimal] = defaultdict(lambda: ZERO)
        unmapped: dict[str, Decimal] = defaultdict(lambda: ZERO)
        found_old = False
        for code in old_leaves:
            row = self.balances.get((org.pk, ChartVersion.V2004, code), {}).get("202312")
            if row is None:
                continue
            found_old = True
            maps = self.maps.get(code[:3], [])
            if len(maps) == 1 and not maps[0].needs_official_appendix:
                expected[maps[0].new_code] += row[3]
            else:
                unmapped[code[:3]] += row[3]
        actual: dict[str, Decimal] = defaultdict(lambda: ZERO)
        found_new = False
        for code in new_leaves:
            row = self.balances.get((org.pk, ChartVersion.V2023, code), {}).get("202401")
            if row is not None:
                found_new = True
                actual[code[:3]] += row[0]
        if not (found_old and found_new):
            return
        for code in sorted(set(expected) | set(actual)):
            report.opening_2024.append(
                {
                    "new_code": code,
                    "mapped_2023_12_closing": str(expected[code]),
                    "opening_2024_01": str(actual[code]),
                    "ok": expected[code] == actual[code],
                }
            )
        for old, amount in sorted(unmapped.items()):
            if amount:
                report.warnings.append(
                    f"旧科目 {old} 的2023年末余额 {amount:,.2f} 元需按官方附表拆分或确认去向，"
                    "未计入新科目期初核对"
                )
