"""Bank accounts (银行账户), their transactions from the bank feed (银行流水) and the monthly bank
reconciliation (银行存款余额调节表)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind, mask, pii_hash

from ..choices import AccountNature, AccountStatus, Channel, CounterpartyKind, Direction, TransactionSource
from ..constants import BANK_LEDGER_ACCOUNT
from ..validators import validate_bank_branch_code, validate_bank_ledger_code, validate_period

ZERO = Decimal("0.00")


class BankAccount(RecordModel):
    """银行账户 — a deposit account of a collective organisation (DOMAIN.md §2.1).

    The account number is personal-data-grade (PIPL art. 28 lists financial accounts): stored encrypted,
    shown masked (first 6 + last 4), unique across the province by its keyed hash, which is also the
    natural key used by files and the bank feed. [D] choices: ``status`` (active/frozen/closed) and
    ``ledger_account_code`` defaulting to 102 银行存款 (a sub-account like 102001 per account is common
    practice [P]). ``opened_on`` is not a business date: accounts opened long before 2022 stay in use.
    """

    account_no = SensitiveField("银行账号", kind=SensitiveKind.BANK_ACCOUNT)
    account_name = models.CharField("账户名称", max_length=120, help_text="应与集体经济组织名称一致")
    bank_name = models.CharField("开户银行", max_length=80)
    bank_branch_code = models.CharField(
        "联行号",
        max_length=12,
        validators=[validate_bank_branch_code],
        help_text="12位支付系统行号",
    )
    account_nature = models.CharField(
        "账户性质",
        max_length=10,
        choices=AccountNature.choices,
        default=AccountNature.BASIC,
    )
    opened_on = models.DateField("开户日期")
    closed_on = models.DateField("销户日期", null=True, blank=True)
    status = models.CharField(
        "账户状态", max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    is_direct_link = models.BooleanField(
        "银农直连", default=False, help_text="已接入银农直连接口，流水自动采集"
    )
    ledger_account_code = models.CharField(
        "对应会计科目",
        max_length=12,
        default=BANK_LEDGER_ACCOUNT,
        validators=[validate_bank_ledger_code],
        help_text="102 银行存款或其明细科目，如102001",
    )

    class Meta(RecordModel.Meta):
        verbose_name = "银行账户"
        verbose_name_plural = "银行账户"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["account_no_hash"], name="funds_bankaccount_unique_account_no"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="funds_bankaccount_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AccountStatus.CLOSED) | models.Q(closed_on__isnull=False),
                name="funds_bankaccount_closed_has_date",
            ),
        ]

    class Spec:
        natural_key = ("account_no_hash",)
        list_display = (
            "account_name",
            "account_no",
            "bank_name",
            "account_nature",
            "is_direct_link",
            "status",
            "org",
        )
        list_filter = ("account_nature", "status", "is_direct_link")
        search_fields = ("account_name", "bank_name", "bank_branch_code", "org__name")
        ordering = ("region_code", "account_nature")

    def __str__(self) -> str:
        return f"{self.bank_name} {mask(self.account_no, SensitiveKind.BANK_ACCOUNT)}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = f"销户日期{self.closed_on}早于开户日期{self.opened_on}，请核对"
        if self.status == AccountStatus.CLOSED and not self.closed_on:
            errors["closed_on"] = "账户状态为“已销户”时必须填写销户日期"
        if self.account_no:
            digest = pii_hash(self.account_no, SensitiveKind.BANK_ACCOUNT)
            if BankAccount.objects.filter(account_no_hash=digest).exclude(pk=self.pk).exists():
                errors["account_no"] = "该银行账号已登记（一个账号在全省只能登记一次），请检查是否重复录入"
        if errors:
            raise ValidationError(errors)


class BankTransaction(RecordModel):
    """银行流水 — one debit or credit on a bank account, from the 银农直连 feed, a statement file or
    typed by hand (DOMAIN.md §7.1).

    ``(account, bank_serial, txn_date)`` is the idempotency key of the feed and the natural key.
    ``balance_after`` is the bank's running balance; the continuity check (previous balance ± amount =
    balance_after) reports gaps instead of refusing the row, because a gap usually means a missing feed
    item (see ``services.bank_transaction_record``). Direction is from the holder's side: debit = 支出.
    [D]: currency is kept as a 3-letter code (all demo accounts are CNY); ``matched_voucher_ref`` holds the
    voucher number text until vouchers are linkable by key.
    """

    account = models.ForeignKey(
        BankAccount,
        verbose_name="银行账户",
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    bank_serial = models.CharField("银行流水号", max_length=64)
    txn_date = models.DateField("交易日期")
    txn_time = models.TimeField("交易时间", null=True, blank=True)
    value_date = models.DateField("起息日", null=True, blank=True)
    direction = models.CharField("借贷标志", max_length=6, choices=Direction.choices)
    amount = MoneyField("金额")
    balance_after = MoneyField("交易后余额")
    currency = models.CharField(
        "币种",
        max_length=3,
        default="CNY",
        validators=[RegexValidator(r"^[A-Z]{3}$", "币种应为3位大写字母，如CNY")],
    )
    counterparty_account = SensitiveField("对方账号", kind=SensitiveKind.BANK_ACCOUNT, blank=True)
    counterparty_name = models.CharField("对方户名", max_length=120, blank=True, default="")
    counterparty_bank = models.CharField("对方开户行", max_length=80, blank=True, default="")
    counterparty_kind = models.CharField(
        "对方类型",
        max_length=12,
        choices=CounterpartyKind.choices,
        default=CounterpartyKind.UNKNOWN,
    )
    summary = models.CharField("摘要", max_length=200, blank=True, default="")
    purpose = models.CharField("用途", max_length=200, blank=True, default="")
    channel = models.CharField(
        "交易渠道", max_length=12, choices=Channel.choices, default=Channel.DIRECT_LINK
    )
    receipt_no = models.CharField("电子回单号", max_length=64, blank=True, default="")
    payment_request = models.ForeignKey(
        "funds.PaymentRequest",
        verbose_name="支出审批单",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transactions",
    )
    matched_voucher_ref = models.CharField("对应凭证号", max_length=40, blank=True, default="")
    source = models.CharField(
        "数据来源", max_length=8, choices=TransactionSource.choices, default=TransactionSource.FEED
    )
    import_batch = models.CharField("导入批次", max_length=40, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "银行流水"
        verbose_name_plural = "银行流水"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["account", "bank_serial", "txn_date"], name="funds_banktxn_unique_serial"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_banktxn_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["account", "txn_date", "txn_time"], name="funds_banktxn_chain_idx"),
            # the rules' look-back windows (A2: recent transactions of every organisation), covering the
            # columns the A2 conditions read: the window is answered from the index alone, without a random
            # read of the table row per transaction (rows of a day lie scattered across a city's table);
            # city benchmark: 0.064 s → 0.020 s for 16,313 rows (benchmarks/bench_rules.py) …
            models.Index(
                fields=["txn_date", "direction", "amount", "counterparty_kind", "payment_request"],
                name="funds_banktxn_window_idx",
            ),
            # … and the same-day totals per organisation and direction (A2-daily)
            models.Index(fields=["org", "txn_date", "direction"], name="funds_banktxn_org_day_idx"),
        ]

    class Spec:
        natural_key = ("account", "bank_serial", "txn_date")
        list_display = (
            "txn_date",
            "account",
            "direction",
            "amount",
            "balance_after",
            "counterparty_name",
            "counterparty_kind",
            "summary",
            "payment_request",
        )
        list_filter = ("direction", "counterparty_kind", "channel", "source")
        search_fields = ("bank_serial", "counterparty_name", "summary", "receipt_no", "org__name")
        money_fields = ("amount", "balance_after")
        business_dates = ("txn_date",)
        date_hierarchy = "txn_date"
        ordering = ("-txn_date", "-txn_time")

    def __str__(self) -> str:
        return f"{self.txn_date} {self.get_direction_display()} {self.amount}元（{self.bank_serial}）"

    @property
    def signed_amount(self) -> Decimal:
        """The effect on the balance: + for a credit (收入), − for a debit (支出)."""
        return self.amount if self.direction == Direction.CREDIT else -self.amount

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "金额必须大于0；收支方向请用“借贷标志”区分"
        if self.account_id and self.org_id and self.account.org_id != self.org_id:
            errors["account"] = "银行账户不属于本集体经济组织，请选择本组织的账户"
        if self.payment_request_id:
            if self.direction != Direction.DEBIT:
                errors["payment_request"] = "只有支出（借方）流水可以关联支出审批单"
            elif self.org_id and self.payment_request.org_id != self.org_id:
                errors["payment_request"] = "支出审批单不属于本集体经济组织"
        if errors:
            raise ValidationError(errors)


class BankReconciliation(RecordModel):
    """银行存款余额调节表 — month-end agreement of the 102 ledger and the bank statement for one account.

    adjusted ledger = ledger + bank-recorded-not-booked in − bank-recorded-not-booked out;
    adjusted statement = statement + booked-not-by-bank in − booked-not-by-bank out;
    balanced when both agree (else A7 账实不符). Adjusted figures are computed (``compute_adjusted``), never
    typed. Reconciling items are entered as non-negative totals per kind [D].
    """

    account = models.ForeignKey(
        BankAccount,
        verbose_name="银行账户",
        on_delete=models.PROTECT,
        related_name="reconciliations",
    )
    period = models.CharField("期间", max_length=6, validators=[validate_period], help_text="年月，如202503")
    ledger_balance = MoneyField("银行存款日记账余额")
    statement_balance = MoneyField("银行对账单余额")
    bank_recorded_not_booked_in = MoneyField("银行已收企业未收")
    bank_recorded_not_booked_out = MoneyField("银行已付企业未付")
    booked_not_by_bank_in = MoneyField("企业已收银行未收")
    booked_not_by_bank_out = MoneyField("企业已付银行未付")
    adjusted_ledger_balance = MoneyField("调节后日记账余额")
    adjusted_statement_balance = MoneyField("调节后对账单余额")
    preparer = models.CharField("编制人", max_length=40, blank=True, default="")
    reviewer = models.CharField("复核人", max_length=40, blank=True, default="")
    is_balanced = models.BooleanField("是否平衡", default=False)

    class Meta(RecordModel.Meta):
        verbose_name = "银行存款余额调节表"
        verbose_name_plural = "银行存款余额调节表"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["account", "period"], name="funds_bankrecon_unique_period"),
            models.CheckConstraint(
                condition=models.Q(
                    bank_recorded_not_booked_in__gte=0,
                    bank_recorded_not_booked_out__gte=0,
                    booked_not_by_bank_in__gte=0,
                    booked_not_by_bank_out__gte=0,
                ),
                name="funds_bankrecon_items_not_negative",
            ),
        ]

    class Spec:
        natural_key = ("account", "period")
        list_display = (
            "period",
            "account",
            "ledger_balance",
            "statement_balance",
            "adjusted_ledger_balance",
            "adjusted_statement_balance",
            "is_balanced",
            "org",
        )
        list_filter = ("is_balanced", "period")
        search_fields = ("period", "org__name", "account__account_name", "preparer")
        money_fields = (
            "ledger_balance",
            "statement_balance",
            "bank_recorded_not_booked_in",
            "bank_recorded_not_booked_out",
            "booked_not_by_bank_in",
            "booked_not_by_bank_out",
            "adjusted_ledger_balance",
            "adjusted_statement_balance",
        )
        readonly_fields = ("adjusted_ledger_balance", "adjusted_statement_balance", "is_balanced")
        ordering = ("-period",)

    def __str__(self) -> str:
        return f"{self.account} {self.period} 余额调节表"

    def compute_adjusted(self) -> None:
        """Fill the adjusted balances and ``is_balanced`` from the entered figures (pure arithmetic)."""
        self.adjusted_ledger_balance = (
            (self.ledger_balance or ZERO)
            + (self.bank_recorded_not_booked_in or ZERO)
            - (self.bank_recorded_not_booked_out or ZERO)
        )
        self.adjusted_statement_balance = (
            (self.statement_balance or ZERO)
            + (self.booked_not_by_bank_in or ZERO)
            - (self.booked_not_by_bank_out or ZERO)
        )
        self.is_balanced = self.adjusted_ledger_balance == self.adjusted_statement_balance

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in (
            "bank_recorded_not_booked_in",
            "bank_recorded_not_booked_out",
            "booked_not_by_bank_in",
            "booked_not_by_bank_out",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{self._meta.get_field(name).verbose_name}按合计金额填写，不能为负数"
        if self.account_id and self.org_id and self.account.org_id != self.org_id:
            errors["account"] = "银行账户不属于本集体经济组织，请选择本组织的账户"
        if errors:
            raise ValidationError(errors)
