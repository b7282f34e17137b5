"""Choices of 会计核算成果 (DOMAIN.md Appendix A): stable English codes, Chinese labels."""

from django.db import models


class ChartVersion(models.TextChoices):
    """Which national accounting system a chart of accounts follows [M]."""

    V2004 = "2004", "村集体经济组织会计制度（财会〔2004〕12号）"
    V2023 = "2023", "农村集体经济组织会计制度（财会〔2023〕14号）"


class AccountClass(models.TextChoices):
    """Account classes; profit-and-loss is split into its income and expense segments [M]."""

    ASSET = "asset", "资产类"
    LIABILITY = "liability", "负债类"
    EQUITY = "equity", "所有者权益类"
    COST = "cost", "成本类"
    PNL_INCOME = "pnl_income", "损益类（收入）"
    PNL_EXPENSE = "pnl_expense", "损益类（支出）"


class NormalBalance(models.TextChoices):
    DEBIT = "D", "借"
    CREDIT = "C", "贷"


class BookkeepingMode(models.TextChoices):
    SELF = "self", "自行记账"
    TOWNSHIP_AGENT = "township_agent", "村账乡代管"


class VoucherStatus(models.TextChoices):
    """Voucher life cycle; ``void`` is a posted voucher cancelled by a reversal voucher (红字冲销)."""

    DRAFT = "draft", "草稿"
    REVIEWED = "reviewed", "已审核"
    POSTED = "posted", "已记账"
    VOID = "void", "已冲销作废"


class VoucherSource(models.TextChoices):
    MANUAL = "manual", "手工录入"
    BANK_FEED = "bank_feed", "银农直连"
    IMPORT = "import", "文件导入"
    MIGRATION = "migration", "历史迁移"


class EntryKind(models.TextChoices):
    """What a voucher does in the books: ordinary business, opening balances, or period-end closing
    (结转损益/结转本年收益), which the income statement leaves out."""

    NORMAL = "normal", "日常业务"
    OPENING = "opening", "期初建账"
    CLOSING = "closing", "期末结转"
