"""Demo contracts with receivable plans, receipts and changes (about 15 per village at county scale).

Most contracts let out the village's leased/contracted resources and operating assets with annual rent,
terms of 3–15 years and a few of 20. End dates are spread so that contracts expire within 7/30/60/90
days of ``ctx.as_of`` (A3), some have expired unpaid; most past-due instalments are received, some late,
some missing (overdue, A6), a few partially; about 15% went through the trading platform (mostly those
starting after mid-2023). Earlier contracts on now-idle resources end the day before the idleness began.
Receipts never exceed the plan of their contract. In every township the first village has a contract
expiring within 30 days, one with an overdue instalment and one expired unpaid, so that the tiny demo
shows all three, and a contract change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from backoffice.assets.choices import OperationMode, ResourceUse
from backoffice.assets.models import FixedAsset, Resource
from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.core.validators import DATA_SCOPE_START

from .choices import ChangeType, ContractStatus, ContractType, PartyKind, PaymentMode, QuantityUnit
from .demo_parties import COMPANY_HEADS, credit_code, party_b, subject_terms
from .models import Contract, ContractChange, ContractReceipt, ContractReceivablePlan
from .terms import add_years, plan_amounts

DEMO_ORDER = 40
CENT = Decimal("0.01")
PLATFORM_START = date(2023, 6, 1)
#: (scenario, weight) of a contract on a current subject
SCENARIOS = [
    ("running", 77),
    ("exp7", 2),
    ("exp30", 2.5),
    ("exp60", 2.5),
    ("exp90", 2.5),
    ("expired_unpaid", 4),
    ("future", 2),
    ("terminated", 2.5),
    ("extended", 2.5),
    ("amended", 2),
]
EXPIRY_WINDOWS = {"exp7": (0, 7), "exp30": (8, 30), "exp60": (31, 60), "exp90": (61, 90)}
BEHAVIOURS = [("on_time", 78), ("late", 10), ("missing", 8), ("partial", 4)]
TERM_YEARS = [3, 3, 5, 5, 5, 6, 8, 10, 10, 15]
TERMINATION_REASONS = (
    "乙方经营困难申请解除，经成员代表会议同意",
    "乙方连续两年拖欠租金，依约解除",
    "因村庄规划调整收回土地，双方协商终止",
)


@dataclass
class Plan:
    """One contract to create, with its schedule of plan rows and receipts."""

    contract: Contract
    behaviour: str
    plans: list[tuple[date, Decimal]] = field(default_factory=list)
    receipts: list[tuple[date, Decimal]] = field(default_factory=list)
    changes: list[ContractChange] = field(default_factory=list)


def _review(rng) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.86:
        return ReviewStatus.APPROVED, ""
    if roll < 0.94:
        return ReviewStatus.SUBMITTED, ""
    if roll < 0.97:
        return ReviewStatus.RETURNED, "未附成员代表会议决议，请补充后重新提交"
    return ReviewStatus.DRAFT, ""


def _pick(rng, weighted):
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


class VillageBuilder:
    """Builds one village's contracts; keeps the per-organisation sequences of numbers."""

    def __init__(self, ctx: DemoContext, rng, org_id: int, code: str):
        self.ctx, self.rng, self.org_id, self.code = ctx, rng, org_id, code
        self.seq = 0
        self.items: list[Plan] = []

    # ---- terms -----------------------------------------------------------------------------------
    def _term(self, scenario: str, years: int) -> tuple[date, date]:
        as_of, rng = self.ctx.as_of, self.rng
        if scenario in EXPIRY_WINDOWS:
            end = as_of + timedelta(days=rng.randint(*EXPIRY_WINDOWS[scenario]))
        elif scenario == "expired_unpaid":
            end = as_of - timedelta(days=rng.randint(5, 400))
        elif scenario == "future":
            start = as_of + timedelta(days=rng.randint(10, 120))
            return start, add_years(start, years) - timedelta(days=1)
        else:
            end = as_of + timedelta(days=rng.randint(91, max(years * 365 - 60, 120)))
        return add_years(end + timedelta(days=1), -years), end

    def add(
        self,
        *,
        scenario: str,
        subject=None,
        behaviour: str | None = None,
        end: date | None = None,
        years: int | None = None,
        status: str | None = None,
    ) -> Plan:
        rng, as_of = self.rng, self.ctx.as_of
        terms = subject_terms(rng, subject)
        ctype = terms["contract_type"]
        if years is None:
            years = 20 if rng.random() < 0.03 else rng.choice(TERM_YEARS)
        extension = rng.randint(1, 3) if scenario == "extended" else 0
        if end is not None:
            start = add_years(end + timedelta(days=1), -years)
        else:
            start, end = self._term(scenario, years)
        if extension:
            years = min(years, 15)
            start, end = self._term("running", years + extension)
        behaviour = behaviour or (
            "on_time"
            if scenario in ("past", "future")
            else ("missing" if scenario == "expired_unpaid" else _pick(rng, BEHAVIOURS))
        )
        payment_mode = _pick(
            rng,
            [
                (PaymentMode.ANNUAL, 80),
                (PaymentMode.LUMP_SUM, 8),
                (PaymentMode.INSTALMENTS, 8),
                (PaymentMode.BY_OUTPUT, 4),
            ],
        )
        if payment_mode == PaymentMode.LUMP_SUM and years > 5:
            payment_mode = PaymentMode.ANNUAL
        total_years = years + extension
        unit_price = (
            (terms["yearly"] / terms["quantity"]).quantize(CENT) if terms["quantity"] else terms["yearly"]
        )
        yearly = (unit_price * terms["quantity"]).quantize(CENT)
        total = yearly * total_years
        if status is None:
            status = self._status(scenario, end)
        signed = None if status == ContractStatus.DRAFT else start - timedelta(days=rng.randint(5, 60))
        traded = rng.random() < (0.32 if start >= PLATFORM_START else 0.03)
        self.seq += 1
        review_status, reason = _review(rng)
        if status == ContractStatus.DRAFT:
            review_status, reason = ReviewStatus.DRAFT, ""
        contract = Contract(
            org_id=self.org_id,
            region_code=self.code,
            contract_no=f"HT{self.code[-6:]}-{start.year}-{self.seq:03d}",
            name=terms["name"],
            contract_type=ctype,
            subject_resource=subject if isinstance(subject, Resource) else None,
            subject_asset=subject if isinstance(subject, FixedAsset) else None,
            **party_b(rng, isinstance(subject, FixedAsset)),
            quantity=terms["quantity"],
            unit=terms["unit"],
            unit_price=unit_price,
            total_amount=total,
            payment_mode=payment_mode,
            escalation_note="每满五年租金递增5%，以补充协议为准" if rng.random() < 0.1 else "",
            term_start=start,
            term_end=end,
            signed_on=signed,
            decision_ref=(
                f"{signed - timedelta(days=rng.randint(7, 40)):%Y年%m月%d日}村民代表会议决议（四议两公开）"
                if signed and rng.random() < 0.9
                else ""
            ),
            traded_on_platform=traded,
            trading_ref=f"JY{self.code[:6]}-{start.year}-{rng.randint(1, 99999):05d}" if traded else "",
            certificate_no=(
                f"晋农产鉴〔{start.year}〕{rng.randint(1, 99999):05d}号"
                if traded and rng.random() < 0.95
                else ""
            ),
            status=status,
            is_history=start < DATA_SCOPE_START,
            review_status=review_status,
            review_reason=reason,
            source_system=DEMO_SOURCE,
            source_id=f"contract:{self.code}:{self.seq}",
        )
        item = Plan(contract=contract, behaviour=behaviour)
        if status != ContractStatus.DRAFT:
            item.plans = plan_amounts(payment_mode=payment_mode, term_start=start, term_end=end, total=total)
        if scenario == "extended":
            old_end = add_years(end + timedelta(days=1), -extension) - timedelta(days=1)
            change_day = min(old_end - timedelta(days=rng.randint(20, 80)), as_of - timedelta(days=1))
            item.changes.append(
                self.change_row(
                    ChangeType.EXTEND, change_day, "乙方申请延期，经成员代表会议同意续期", new_term_end=end
                )
            )
        elif scenario == "terminated":
            change_day = max(start + timedelta(days=400), as_of - timedelta(days=rng.randint(30, 600)))
            change_day = min(change_day, as_of - timedelta(days=1))
            item.plans = [(d, a) for d, a in item.plans if d <= change_day]
            contract.status = ContractStatus.RESCINDED if rng.random() < 0.3 else ContractStatus.TERMINATED
            item.changes.append(
                self.change_row(
                    ChangeType.TERMINATE, change_day, rng.choice(TERMINATION_REASONS), new_term_end=change_day
                )
            )
        elif scenario == "amended":
            change_day = start + timedelta(days=rng.randint(30, max((as_of - start).days - 1, 31)))
            item.changes.append(
                self.change_row(
                    ChangeType.AMEND, min(change_day, as_of), "乙方变更联系电话及收款账户，经双方签字确认"
                )
            )
        item.receipts = self._receipts(item.plans, behaviour)
        self.items.append(item)
        return item

    def _status(self, scenario: str, end: date) -> str:
        as_of = self.ctx.as_of
        if scenario == "future":
            return ContractStatus.DRAFT if self.rng.random() < 0.4 else ContractStatus.EFFECTIVE
        if scenario == "past":
            return ContractStatus.SETTLED
        if end < as_of:
            return ContractStatus.EXPIRED
        if end <= as_of + timedelta(days=90):
            return ContractStatus.EXPIRING
        return ContractStatus.PERFORMING

    def change_row(
        self, change_type: str, day: date, reason: str, new_term_end: date | None = None
    ) -> ContractChange:
        return ContractChange(
            org_id=self.org_id,
            region_code=self.code,
            change_type=change_type,
            change_date=day,
            reason=reason,
            approval_ref=f"{day:%Y年%m月%d日}成员代表会议决议",
            new_term_end=new_term_end,
            is_history=day < DATA_SCOPE_START,
            review_status=ReviewStatus.APPROVED,
            source_system=DEMO_SOURCE,
        )

    # ---- receipts --------------------------------------------------------------------------------
    def _receipts(self, plans: list[tuple[date, Decimal]], behaviour: str) -> list[tuple[date, Decimal]]:
        """Receipts for the instalments due by ``as_of``; never more than an instalment's amount."""
        rng, as_of = self.rng, self.ctx.as_of
        past_due = [i for i, (due, _) in enumerate(plans) if due < as_of]
        unpaid: set[int] = set()
        partial: set[int] = set()
        late: set[int] = set()
        if behaviour == "missing" and past_due:
            unpaid = set(past_due[-rng.choice((1, 1, 2)) :])
        elif behaviour == "partial" and past_due:
            partial = {past_due[-1]}
        elif behaviour == "late" and past_due:
            late = set(rng.sample(past_due, min(len(past_due), rng.choice((1, 2)))))
        receipts = []
        for index, (due, amount) in enumerate(plans):
            if due > as_of or index in unpaid:
                continue
            if index in late:
                day = due + timedelta(days=rng.randint(35, 150))
                if day > as_of:
                    continue  # not yet paid: overdue
            else:
                day = due + timedelta(days=rng.randint(-20, 10))
            day = min(day, as_of)
            if index in partial:
                amount = (amount * Decimal(rng.randint(30, 70)) / 100).quantize(CENT)
            receipts.append((day, amount))
        return receipts


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("contracts")
    resources = defaultdict(list)
    for resource in Resource.objects.filter(source_system=DEMO_SOURCE).order_by("pk"):
        resources[resource.org_id].append(resource)
    assets = defaultdict(list)
    letting = (OperationMode.LEASED, OperationMode.CONTRACTED, OperationMode.SHAREHOLDING)
    for asset in FixedAsset.objects.filter(
        source_system=DEMO_SOURCE, operation_mode__in=letting, disposed_on__isnull=True
    ).order_by("pk"):
        assets[asset.org_id].append(asset)
    lettable = (ResourceUse.OTHER_CONTRACTED, ResourceUse.LEASED, ResourceUse.SHAREHOLDING)
    builders: list[VillageBuilder] = []
    seen_towns: set[str] = set()
    for org_id, code in ctx.village_orgs:
        first_in_town = code[:9] not in seen_towns
        seen_towns.add(code[:9])
        builder = VillageBuilder(ctx, rng, org_id, code)
        builders.append(builder)
        target = max(5, round(rng.randint(12, 18) * ctx.volume))
        extras = max(1, round(target * 0.2))
        subjects = [r for r in resources[org_id] if r.use_mode in lettable] + list(assets[org_id])
        rng.shuffle(subjects)
        current = min(len(subjects), target - extras)
        if first_in_town:
            current = max(current, 3)
        forced = ["exp30", "missing", "expired_unpaid"] if first_in_town else []
        for index in range(current):
            subject = subjects[index] if index < len(subjects) else None
            scenario = forced[index] if index < len(forced) else _pick(rng, SCENARIOS)
            if scenario == "missing":
                builder.add(
                    scenario="running", subject=subject, behaviour="missing", years=rng.choice((5, 8, 10))
                )
            elif scenario == "exp30":
                builder.add(scenario="exp30", subject=subject, behaviour="on_time")
            else:
                builder.add(scenario=scenario, subject=subject)
        if first_in_town and not any(item.changes for item in builder.items):
            first = builder.items[0]
            day = max(first.contract.term_start, ctx.as_of - timedelta(days=200))
            first.changes.append(
                builder.change_row(ChangeType.AMEND, day, "乙方变更联系电话，经双方签字确认")
            )
        idle = [r for r in resources[org_id] if r.use_mode == ResourceUse.IDLE]
        predecessors = [
            item
            for item in builder.items
            if (item.contract.subject_resource or item.contract.subject_asset)
            and date(2012, 1, 1) < item.contract.term_start <= ctx.as_of - timedelta(days=30)
        ]
        for _ in range(max(target - current, 1)):
            roll = rng.random()
            if idle and roll < 0.4:
                resource = idle.pop()
                builder.add(
                    scenario="past",
                    subject=resource,
                    end=resource.idle_since - timedelta(days=1),
                    years=rng.choice((3, 5, 5, 8)),
                )
            elif predecessors and roll < 0.8:
                successor = predecessors.pop(rng.randrange(len(predecessors)))
                subject = successor.contract.subject_resource or successor.contract.subject_asset
                builder.add(
                    scenario="past",
                    subject=subject,
                    years=rng.choice((3, 5, 5)),
                    end=successor.contract.term_start - timedelta(days=1),
                    status=ContractStatus.RENEWED,
                )
            else:
                _add_expenditure(builder)
    return _save(builders)


def _add_expenditure(builder: VillageBuilder) -> None:
    """A works or purchase contract: the collective pays, so there is no receivable plan."""
    rng, as_of = builder.rng, builder.ctx.as_of
    item = builder.add(scenario="running", subject=None, years=1)
    contract = item.contract
    contract.contract_type = rng.choice((ContractType.WORKS, ContractType.PURCHASE))
    contract.name = rng.choice(
        ("村内道路硬化工程施工合同", "农田灌溉管网改造工程合同", "村委会办公设备采购合同", "路灯安装工程合同")
    )
    contract.party_b_kind = PartyKind.ORGANISATION
    contract.party_b_name = f"山西{rng.choice(COMPANY_HEADS)}建设工程有限公司"
    contract.party_b_id = credit_code(rng, contract.party_b_name)
    contract.quantity, contract.unit, contract.unit_price = (
        Decimal(1),
        QuantityUnit.SET,
        contract.total_amount,
    )
    contract.payment_mode = PaymentMode.INSTALMENTS
    contract.term_start = as_of - timedelta(days=rng.randint(30, 700))
    contract.term_end = contract.term_start + timedelta(days=rng.randint(60, 300))
    contract.status = ContractStatus.SETTLED if contract.term_end < as_of else ContractStatus.PERFORMING
    contract.signed_on = contract.term_start - timedelta(days=rng.randint(5, 30))
    contract.is_history = contract.term_start < DATA_SCOPE_START
    contract.contract_no = f"HT{builder.code[-6:]}-{contract.term_start.year}-{builder.seq:03d}"
    item.plans, item.receipts, item.changes = [], [], []


def _save(builders: list[VillageBuilder]) -> dict[str, int]:
    items = [item for builder in builders for item in builder.items]
    Contract.objects.bulk_create([item.contract for item in items], batch_size=2000)
    plans, receipts, changes = [], [], []
    receipt_seq: dict[int, int] = defaultdict(int)
    voucher_seq: dict[tuple[int, int, int], int] = defaultdict(int)
    approved = ReviewStatus.APPROVED
    for item in items:
        contract = item.contract
        common = {
            "contract": contract,
            "org_id": contract.org_id,
            "region_code": contract.region_code,
            "source_system": DEMO_SOURCE,
        }
        child_review = approved if contract.review_status == approved else ReviewStatus.SUBMITTED
        for due, amount in item.plans:
            plans.append(
                ContractReceivablePlan(
                    **common,
                    due_date=due,
                    amount_due=amount,
                    is_history=due < DATA_SCOPE_START,
                    review_status=child_review,
                )
            )
        for day, amount in item.receipts:
            receipt_seq[contract.org_id] += 1
            voucher_key = (contract.org_id, day.year, day.month)
            voucher_seq[voucher_key] += 1
            no_voucher = receipt_seq[contract.org_id] % 13 == 0  # a few receipts not yet booked
            receipts.append(
                ContractReceipt(
                    **common,
                    received_on=day,
                    amount=amount,
                    receipt_no=f"SK{contract.region_code[-6:]}{receipt_seq[contract.org_id]:05d}",
                    voucher_ref="" if no_voucher else f"记-{day:%Y-%m}-{voucher_seq[voucher_key]:03d}",
                    is_history=day < DATA_SCOPE_START,
                    review_status=child_review,
                )
            )
        for change in item.changes:
            change.contract = contract
            changes.append(change)
    ContractReceivablePlan.objects.bulk_create(plans, batch_size=2000)
    ContractReceipt.objects.bulk_create(receipts, batch_size=2000)
    ContractChange.objects.bulk_create(changes, batch_size=2000)
    return {
        "contracts": len(items),
        "contract_plans": len(plans),
        "contract_receipts": len(receipts),
        "contract_changes": len(changes),
    }
