"""Choices of the supervision app (stable English codes, Chinese labels)."""

from django.db import models


class IndicatorCode(models.TextChoices):
    """The indicators a scorecard may weigh; each is a share between 0 and 1 (higher is better)."""

    COVERAGE = "coverage", "数据入网率（有数据的村×模块占比）"
    APPROVAL = "approval", "数据审核率（数据全部已审核的村×模块占比）"
    QUALITY = "quality", "审核通过率（审核决定中未退回的占比）"
    CONTRACT_LISTING = "contract_listing", "到期合同进场率"
    IDLE_LISTING = "idle_listing", "闲置资源进场率"
    DIRECT_FEED = "direct_feed", "银农直连账户占比"
    ALERT_SLA = "alert_sla", "预警按期处置率"
    IMPORT_OK = "import_ok", "导入成功率"
    DISCLOSURE_ON_TIME = "disclosure_on_time", "财务公开按期率（1−逾期率）"
    IMPORT_VALID = "import_valid", "导入校验通过率（无错误的行占比）"
    BANK_MATCH = "bank_match", "银行账实相符率（调节后平衡的余额调节表占比）"


class SpotCheckResult(models.TextChoices):
    PASSED = "passed", "抽查合格"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "抽查不合格"
