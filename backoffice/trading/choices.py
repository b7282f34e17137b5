"""Choices of 产权交易 (DOMAIN.md §6, Appendix A): stable English codes, Chinese labels."""

from django.db import models


class PropertyType(models.TextChoices):
    """交易品种 T01–T11 (DOMAIN.md §6.2)."""

    T01 = "T01", "农户承包土地经营权"
    T02 = "T02", "林权"
    T03 = "T03", "“四荒”使用权"
    T04 = "T04", "农村集体经营性资产"
    T05 = "T05", "农业生产设施设备"
    T06 = "T06", "小型水利设施使用权"
    T07 = "T07", "农业类知识产权"
    T08 = "T08", "其他"
    T09 = "T09", "集体经营性建设用地使用权"
    T10 = "T10", "集体资源性资产发包/出租"
    T11 = "T11", "农户个人资产"


class TransferMode(models.TextChoices):
    LEASE = "lease", "出租"
    SUBCONTRACT = "subcontract", "转包"
    SHAREHOLDING = "shareholding", "入股"
    TRANSFER = "transfer", "转让"
    GRANT = "grant", "出让"
    CONTRACTING_OUT = "contracting_out", "发包"
    COOPERATION = "cooperation", "合作"
    EXCHANGE = "exchange", "互换"


class TradingMethod(models.TextChoices):
    """交易方式 (DOMAIN.md §6.5); online bidding is the platform default for two or more bidders."""

    ONLINE_BIDDING = "online_bidding", "网络竞价"
    NEGOTIATION = "negotiation", "协议成交/公开协商"
    AUCTION = "auction", "拍卖"
    TENDER = "tender", "招标"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "竞争性谈判"


class TradingInstitution(models.TextChoices):
    COUNTY_CENTRE = "county_centre", "县级农村产权交易中心"
    TOWNSHIP_STATION = "township_station", "乡镇交易服务站"


class TransferorKind(models.TextChoices):
    COLLECTIVE = "collective", "集体经济组织"
    FARMER = "farmer", "农户"


class ListingState(models.TextChoices):
    """States of a listing (DOMAIN.md §6.4)."""

    DRAFT = "draft", "草稿"
    TOWN_REVIEW = "town_review", "乡镇审核中"
    COUNTY_REVIEW = "county_review", "县级受理审核中"
    ANNOUNCED = "announced", "挂牌公告中"
    ELIGIBILITY = "eligibility", "资格确认中"
    NEGOTIATION = "negotiation", "协议成交"
    BIDDING = "bidding", "网络竞价中"
    UNSOLD = "unsold", "流拍"
    DEAL = "deal", "成交确认"
    RESULT_PUBLICITY = "result_publicity", "结果公示中"
    CONTRACT = "contract", "待签约"
    SETTLEMENT = "settlement", "价款结算中"
    ATTESTED = "attested", "已出具鉴证书"
    ARCHIVED = "archived", "已归档"
    SUSPENDED = "suspended", "中止"
    TERMINATED = "terminated", "终结"


#: states shown on the public portal as current listings (information and process public)
PUBLIC_STATES = frozenset(
    {
        ListingState.ANNOUNCED,
        ListingState.ELIGIBILITY,
        ListingState.NEGOTIATION,
        ListingState.BIDDING,
        ListingState.UNSOLD,
        ListingState.DEAL,
        ListingState.RESULT_PUBLICITY,
        ListingState.CONTRACT,
        ListingState.SETTLEMENT,
        ListingState.ATTESTED,
        ListingState.ARCHIVED,
        ListingState.SUSPENDED,
        ListingState.TERMINATED,
    }
)
#: states with a fixed winner whose result may be published
RESULT_STATES = frozenset(
    {
        ListingState.RESULT_PUBLICITY,
        ListingState.CONTRACT,
        ListingState.SETTLEMENT,
        ListingState.ATTESTED,
        ListingState.ARCHIVED,
    }
)
#: states a listing never leaves
FINAL_STATES = frozenset({ListingState.ARCHIVED, ListingState.TERMINATED})


class AttachmentKind(models.TextChoices):
    RESOLUTION = "resolution", "民主决策决议（成员/代表会议决议或“四议两公开”记录）"
    APPLICATION = "application", "挂牌申请书"
    OWNERSHIP = "ownership", "权属证明"
    APPRAISAL = "appraisal", "评估报告"
    PHOTO = "photo", "照片/视频"
    MAP = "map", "位置图/宗地图"
    TOWNSHIP_OPINION = "township_opinion", "乡镇审核意见"
    COUNTY_APPROVAL = "county_approval", "县级批复"
    OTHER = "other", "其他"


class BidderKind(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "单位/组织"


class QualificationStatus(models.TextChoices):
    PENDING = "pending", "待审查"
    QUALIFIED = "qualified", "资格通过"
    REJECTED = "rejected", "资格未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class DepositStatus(models.TextChoices):
    UNPAID = "unpaid", "未缴纳"
    PAID = "paid", "已缴纳"
    CONVERTED = "converted", "已转为价款"
    REFUNDED = "refunded", "已退还"
    FORFEITED = "forfeited", "已没收"


class BidPhase(models.TextChoices):
    FREE = "free", "自由报价期"
    TIMED = "timed", "限时报价期"
    NEGOTIATION = "negotiation", "协议报价"


class DealMethod(models.TextChoices):
    BIDDING = "bidding", "网络竞价"
    NEGOTIATION = "negotiation", "协议成交"
