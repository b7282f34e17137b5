"""Choices of 承包（租赁）合同 (DOMAIN.md §2.7, Appendix A)."""

from django.db import models


class ContractType(models.TextChoices):
    CONTRACTING_OUT = "contracting_out", "发包"
    LEASE = "lease", "出租"
    TRANSFER = "transfer", "出让"
    SHAREHOLDING = "shareholding", "入股"
    COOPERATION = "cooperation", "合作"
    WORKS = "works", "工程"
    PURCHASE = "purchase", "采购"
    OTHER = "other", "其他"


#: contracts under which the collective pays rather than receives: no receivable plan
EXPENDITURE_TYPES = frozenset({ContractType.WORKS, ContractType.PURCHASE})


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    EFFECTIVE = "effective", "已生效"
    PERFORMING = "performing", "履行中"
    EXPIRING = "expiring", "即将到期"
    EXPIRED = "expired", "已到期"
    SETTLED = "settled", "已结清"
    TERMINATED = "terminated", "已终止"
    RESCINDED = "rescinded", "已解除"
    RENEWED = "renewed", "已续签"


#: statuses of a contract still in force (the expiry selector and alerts look at these)
ACTIVE_STATUSES = frozenset({ContractStatus.EFFECTIVE, ContractStatus.PERFORMING, ContractStatus.EXPIRING})


class PaymentMode(models.TextChoices):
    LUMP_SUM = "lump_sum", "一次性"
    ANNUAL = "annual", "按年"
    INSTALMENTS = "instalments", "分期"
    BY_OUTPUT = "by_output", "按产量"


class PartyKind(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    ORGANISATION = "organisation", "单位/组织"
    MEMBER_HOUSEHOLD = "member_household", "本集体成员户"


class QuantityUnit(models.TextChoices):
    MU = "mu", "亩"
    SQUARE_METRE = "sqm", "平方米"
    SET = "set", "台"
    TREE = "tree", "棵"
    ROOM = "room", "间"


class ChangeType(models.TextChoices):
    AMEND = "amend", "变更"
    EXTEND = "extend", "延期"
    TERMINATE = "terminate", "终止"
