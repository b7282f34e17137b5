"""Which records count as "data entered" for each of the 11 monitoring modules (the seed's 11大监测模块).

Each module names its main record types and the business date that places a row in a period (from the
model's ``Spec.business_dates``). Inventory-like records (resources, asset cards, members) describe a
state, not an event: a row counts for every period from the day it was entered (``created_at``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Source:
    """One record type feeding a module's coverage."""

    model_label: str
    #: business date placing a row in a period; None for an inventory (counts from its entry date on)
    date_field: str | None

    @property
    def model(self):
        return apps.get_model(self.model_label)


@dataclass(frozen=True)
class Module:
    code: str
    label: str
    sources: tuple[Source, ...]


MODULES: tuple[Module, ...] = (
    Module(
        "funds",
        "资金监测",
        (
            Source("funds.BankTransaction", "txn_date"),
            Source("funds.CashJournal", "entry_date"),
            Source("funds.PaymentRequest", "request_date"),
        ),
    ),
    Module("accounting", "会计核算成果", (Source("accounting.Voucher", "voucher_date"),)),
    Module(
        "debts",
        "债权债务",
        (Source("debts.DebtItem", "origin_date"), Source("debts.DebtMovement", "movement_date")),
    ),
    Module(
        "labour",
        "集体用工",
        (Source("labour.LabourEngagement", "start_date"), Source("labour.Timesheet", "work_date")),
    ),
    Module(
        "levies",
        "一事一议筹资筹劳",
        (Source("levies.LevyProject", "proposed_on"), Source("levies.LevyExpense", "expense_date")),
    ),
    Module("disclosure", "财务公开", (Source("disclosure.Disclosure", "published_on"),)),
    Module(
        "contracts",
        "承包（租赁）合同",
        (
            Source("contracts.Contract", "term_start"),
            Source("contracts.ContractReceivablePlan", "due_date"),
            Source("contracts.ContractReceipt", "received_on"),
        ),
    ),
    Module("assets", "资源性资产", (Source("assets.Resource", None), Source("assets.FixedAsset", None))),
    Module(
        "subsidies",
        "惠农政策落实",
        (Source("subsidies.SubsidyRoster", "paid_on"), Source("subsidies.CollectiveSubsidy", "received_on")),
    ),
    Module(
        "reform",
        "产权制度改革成果",
        (Source("reform.Member", None), Source("reform.Dividend", "approved_on")),
    ),
    Module(
        "keywork",
        "重点工作",
        (Source("keywork.TaskProgress", "report_date"), Source("keywork.ProblemLedger", "found_on")),
    ),
)

MODULE_LABELS = {m.code: m.label for m in MODULES}
