"""The per-organisation validation report: ``<key>.json`` (machine) and ``<key>.md`` (for the township's
sign-off), in Chinese."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .base import ACTIONS, OrgReport

ENTITY_NAMES = {
    "organisations": "集体经济组织",
    "account_sets": "账套",
    "accounts": "会计科目",
    "vouchers": "记账凭证",
    "voucher_lines": "凭证分录",
    "balances": "科目余额",
    "resources": "资源性资产",
    "contracts": "合同",
    "counterparties": "往来单位/个人",
    "debts": "债权债务",
    "households": "农户",
    "members": "成员",
}
ACTION_NAMES = {"created": "新增", "updated": "更新", "unchanged": "未变化", "rejected": "拒绝"}


def file_key(report: OrgReport) -> str:
    key = report.credit_code or report.key
    return re.sub(r"[^\w\-]", "_", key)


def write_reports(reports: list[OrgReport], folder: Path, source: str) -> None:
    for report in reports:
        data = report.as_dict()
        data["source_system"] = source
        key = file_key(report)
        (folder / f"{key}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        (folder / f"{key}.md").write_text(markdown(report, source), encoding="utf-8")


def markdown(report: OrgReport, source: str) -> str:
    out = [f"# 历史数据迁移校验报告：{report.name or report.key}", ""]
    out.append(f"- 来源系统：{source}；来源组织编号：{report.key}")
    if report.credit_code or report.region_code:
        out.append(f"- 统一社会信用代码：{report.credit_code or '—'}；区划代码：{report.region_code or '—'}")
    out += [
        "",
        "## 一、行数",
        "",
        "| 数据 | " + " | ".join(ACTION_NAMES[a] for a in ACTIONS) + " |",
        "|---|" + "---:|" * len(ACTIONS),
    ]
    for entity, counter in sorted(report.counts.items()):
        out.append(
            f"| {ENTITY_NAMES.get(entity, entity)} | "
            + " | ".join(str(counter.get(a, 0)) for a in ACTIONS)
            + " |"
        )
    out += ["", "## 二、各期借贷平衡（末级科目余额与凭证）", ""]
    if report.periods:
        out += [
            "| 制度 | 期间 | 余额表借方 | 余额表贷方 | 期初合计 | 期末合计 | 凭证借方 | 凭证贷方 | 结果 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for p in report.periods:
            cells = [p["chart"], p["period"], p["balance_debit"], p["balance_credit"], p["opening_sum"]]
            cells += [p["closing_sum"], p["voucher_debit"], p["voucher_credit"]]
            cells.append("平衡" if p["ok"] else "**不平衡**")
            out.append("| " + " | ".join(cells) + " |")
    else:
        out.append("无余额或凭证数据。")
    out += ["", "## 三、期末余额结转（本期期末 = 下期期初）", ""]
    if report.carry_forward:
        for b in report.carry_forward:
            out.append(
                f"- {b['chart']}版 科目 {b['account']}：{b['period']} 期末 {b['closing']} 元 ≠ "
                f"{b['next_period']} 期初 {b['next_opening']} 元"
            )
    else:
        out.append("全部连续。")
    if report.voucher_vs_balance:
        out += ["", "### 凭证发生额与余额表不一致", ""]
        for v in report.voucher_vs_balance:
            out.append(
                f"- {v['chart']}版 科目 {v['account']} {v['period']}：凭证借 {v['voucher_debit']} / 贷 "
                f"{v['voucher_credit']}，余额表借 {v['balance_debit']} / 贷 {v['balance_credit']}"
            )
    if report.opening_2024:
        out += [
            "",
            "## 四、2024年新制度期初（按对照表折算2023年末余额）",
            "",
            "| 新科目 | 折算的2023年末余额 | 2024年1月期初 | 结果 |",
            "|---|---:|---:|---|",
        ]
        for o in report.opening_2024:
            out.append(
                f"| {o['new_code']} | {o['mapped_2023_12_closing']} | {o['opening_2024_01']} | "
                f"{'一致' if o['ok'] else '**不一致**'} |"
            )
    if report.mapping:
        out += [
            "",
            "## 五、旧制度（2004）科目转换为新制度（2023）",
            "",
            "| 原科目 | 原名称 | 新科目 | 新名称 | 结果 | 说明 |",
            "|---|---|---|---|---|---|",
        ]
        for m in report.mapping:
            cells = [m["old_code"], m["old_name"], m["new_code"], m["new_name"], m["status"], m["note"]]
            out.append("| " + " | ".join(cells) + " |")
    out += ["", "## 六、被拒绝的行", ""]
    if report.rejected:
        out += ["| 文件 | 行号 | 列 | 原因 |", "|---|---:|---|---|"]
        for r in report.rejected:
            out.append(f"| {r.file} | {r.row} | {r.column} | {r.reason} |")
    else:
        out.append("无。")
    if report.warnings:
        out += ["", "## 七、提示", ""] + [f"- {w}" for w in report.warnings]
    out.append("")
    return "\n".join(out)
