"""National reference data: the first-level charts of accounts of the 2004 and 2023 systems and the
old→new mapping of the 2024-01-01 switch (DOMAIN.md §3.1). Loaded by a data migration and, idempotently,
by the demo (tests run without migrations).

Each chart row: (code, name, class, normal balance, balance-sheet line, contra, two-sided).
"""

from __future__ import annotations

from .choices import AccountClass as K
from .choices import ChartVersion, NormalBalance

D, C = NormalBalance.DEBIT, NormalBalance.CREDIT

#: 财会〔2023〕14号: 42 nationally numbered first-level accounts [M]
CHART_2023: tuple[tuple[str, str, str, str, str, bool, bool], ...] = (
    ("101", "库存现金", K.ASSET, D, "货币资金", False, False),
    ("102", "银行存款", K.ASSET, D, "货币资金", False, False),
    ("111", "短期投资", K.ASSET, D, "短期投资", False, False),
    ("112", "应收款", K.ASSET, D, "应收款项", False, False),
    ("113", "内部往来", K.ASSET, D, "应收款项（借方余额）/应付款项（贷方余额）", False, True),
    ("121", "库存物资", K.ASSET, D, "存货", False, False),
    ("131", "消耗性生物资产", K.ASSET, D, "消耗性生物资产", False, False),
    ("132", "生产性生物资产", K.ASSET, D, "生产性生物资产原值", False, False),
    ("133", "生产性生物资产累计折旧", K.ASSET, C, "减：生产性生物资产累计折旧", True, False),
    ("134", "公益性生物资产", K.ASSET, D, "公益性生物资产", False, False),
    ("141", "长期投资", K.ASSET, D, "长期投资", False, False),
    ("151", "固定资产", K.ASSET, D, "固定资产原值", False, False),
    ("152", "累计折旧", K.ASSET, C, "减：累计折旧", True, False),
    ("153", "在建工程", K.ASSET, D, "在建工程", False, False),
    ("154", "固定资产清理", K.ASSET, D, "固定资产清理", False, False),
    ("161", "无形资产", K.ASSET, D, "无形资产", False, False),
    ("162", "累计摊销", K.ASSET, C, "减：累计摊销（列无形资产净额）", True, False),
    ("171", "长期待摊费用", K.ASSET, D, "长期待摊费用", False, False),
    ("181", "待处理财产损溢", K.ASSET, D, "待处理财产损溢〔待核实〕", False, True),
    ("201", "短期借款", K.LIABILITY, C, "短期借款", False, False),
    ("211", "应付款", K.LIABILITY, C, "应付款项", False, False),
    ("212", "应付工资", K.LIABILITY, C, "应付工资", False, False),
    ("213", "应付劳务费", K.LIABILITY, C, "应付劳务费", False, False),
    ("214", "应交税费", K.LIABILITY, C, "应交税费", False, False),
    ("221", "长期借款及应付款", K.LIABILITY, C, "长期借款及应付款", False, False),
    ("231", "一事一议资金", K.LIABILITY, C, "一事一议资金", False, False),
    ("241", "专项应付款", K.LIABILITY, C, "专项应付款", False, False),
    ("301", "资本", K.EQUITY, C, "资本", False, False),
    ("311", "公积公益金", K.EQUITY, C, "公积公益金", False, False),
    ("321", "本年收益", K.EQUITY, C, "未分配收益", False, False),
    ("322", "收益分配", K.EQUITY, C, "未分配收益", False, False),
    ("401", "生产（劳务）成本", K.COST, D, "存货", False, False),
    ("501", "经营收入", K.PNL_INCOME, C, "", False, False),
    ("502", "投资收益", K.PNL_INCOME, C, "", False, False),
    ("503", "补助收入", K.PNL_INCOME, C, "", False, False),
    ("504", "其他收入", K.PNL_INCOME, C, "", False, False),
    ("511", "经营支出", K.PNL_EXPENSE, D, "", False, False),
    ("512", "税金及附加", K.PNL_EXPENSE, D, "", False, False),
    ("513", "管理费用", K.PNL_EXPENSE, D, "", False, False),
    ("514", "公益支出", K.PNL_EXPENSE, D, "", False, False),
    ("515", "其他支出", K.PNL_EXPENSE, D, "", False, False),
    ("521", "所得税费用", K.PNL_EXPENSE, D, "", False, False),
)

#: 财会〔2004〕12号 village chart, with the provincial add-ons 161 and 241 [M, provincial variants]
CHART_2004: tuple[tuple[str, str, str, str, str, bool, bool], ...] = (
    ("101", "现金", K.ASSET, D, "货币资金", False, False),
    ("102", "银行存款", K.ASSET, D, "货币资金", False, False),
    ("111", "短期投资", K.ASSET, D, "短期投资", False, False),
    ("112", "应收款", K.ASSET, D, "应收款项", False, False),
    ("113", "内部往来", K.ASSET, D, "应收款项（借方余额）/应付款项（贷方余额）", False, True),
    ("121", "库存物资", K.ASSET, D, "存货", False, False),
    ("131", "牲畜（禽）资产", K.ASSET, D, "牲畜（禽）资产", False, False),
    ("132", "林木资产", K.ASSET, D, "林木资产", False, False),
    ("141", "长期投资", K.ASSET, D, "长期投资", False, False),
    ("151", "固定资产", K.ASSET, D, "固定资产原价", False, False),
    ("152", "累计折旧", K.ASSET, C, "减：累计折旧", True, False),
    ("153", "固定资产清理", K.ASSET, D, "固定资产清理", False, False),
    ("154", "在建工程", K.ASSET, D, "在建工程", False, False),
    ("161", "无形资产", K.ASSET, D, "无形资产", False, False),
    ("201", "短期借款", K.LIABILITY, C, "短期借款", False, False),
    ("202", "应付款", K.LIABILITY, C, "应付款项", False, False),
    ("211", "应付工资", K.LIABILITY, C, "应付工资", False, False),
    ("212", "应付福利费", K.LIABILITY, C, "应付福利费", False, False),
    ("221", "长期借款及应付款", K.LIABILITY, C, "长期借款及应付款", False, False),
    ("231", "一事一议资金", K.LIABILITY, C, "一事一议资金", False, False),
    ("241", "专项应付款", K.LIABILITY, C, "专项应付款", False, False),
    ("301", "资本", K.EQUITY, C, "资本", False, False),
    ("311", "公积公益金", K.EQUITY, C, "公积公益金", False, False),
    ("321", "本年收益", K.EQUITY, C, "未分配收益", False, False),
    ("322", "收益分配", K.EQUITY, C, "未分配收益", False, False),
    ("401", "生产（劳务）成本", K.COST, D, "存货", False, False),
    ("501", "经营收入", K.PNL_INCOME, C, "", False, False),
    ("502", "经营支出", K.PNL_EXPENSE, D, "", False, False),
    ("511", "发包及上交收入", K.PNL_INCOME, C, "", False, False),
    ("521", "农业税附加返还收入", K.PNL_INCOME, C, "", False, False),
    ("522", "补助收入", K.PNL_INCOME, C, "", False, False),
    ("531", "其他收入", K.PNL_INCOME, C, "", False, False),
    ("541", "管理费用", K.PNL_EXPENSE, D, "", False, False),
    ("551", "其他支出", K.PNL_EXPENSE, D, "", False, False),
    ("561", "投资收益", K.PNL_INCOME, C, "", False, False),
)

CHARTS = {ChartVersion.V2004: CHART_2004, ChartVersion.V2023: CHART_2023}

#: mapping version named after the transition rule 财会〔2023〕20号
MAPPING_2023_20 = "2023-20"

_SPLIT_BIO = (
    "原生物资产按用途拆分：育肥/待售部分转消耗性生物资产，"
    "役用/种用/经济林部分转生产性生物资产，非经济林转公益性生物资产；拆分比例按清查结果确定〔待核实官方附表〕"
)

#: (old 2004 code, new 2023 code, needs the official appendix, note)
MAPPING_ROWS: tuple[tuple[str, str, bool, str], ...] = (
    ("101", "101", False, "现金 → 库存现金，名称变更"),
    ("102", "102", False, ""),
    ("111", "111", False, ""),
    ("112", "112", False, ""),
    ("113", "113", False, ""),
    ("121", "121", False, ""),
    ("131", "131", True, _SPLIT_BIO),
    ("131", "132", True, _SPLIT_BIO),
    ("132", "131", True, _SPLIT_BIO),
    ("132", "132", True, _SPLIT_BIO),
    ("132", "134", True, _SPLIT_BIO),
    ("141", "141", False, ""),
    ("151", "151", False, ""),
    ("152", "152", False, ""),
    ("153", "154", False, "固定资产清理：旧153 → 新154（编号对调）"),
    ("154", "153", False, "在建工程：旧154 → 新153（编号对调）"),
    ("161", "161", False, "无形资产为旧制度的省级增设科目"),
    ("201", "201", False, ""),
    ("202", "211", False, "应付款：旧202 → 新211"),
    ("211", "212", False, "应付工资：旧211 → 新212"),
    (
        "212",
        "211",
        True,
        "应付福利费在新制度中取消；余额去向以财会〔2023〕20号附表为准，暂按应付款处理〔待核实〕",
    ),
    ("221", "221", False, ""),
    ("231", "231", False, ""),
    ("241", "241", False, "专项应付款为多数省份的增设科目"),
    ("301", "301", False, ""),
    ("311", "311", False, ""),
    ("321", "321", False, ""),
    ("322", "322", False, ""),
    ("401", "401", False, ""),
    ("501", "501", False, ""),
    ("502", "511", False, "经营支出：旧502 → 新511（新502为投资收益，勿按编号对接）"),
    ("511", "501", True, "发包及上交收入并入经营收入〔待核实〕"),
    ("521", "503", True, "农业税附加返还收入：可能转补助收入或其他收入，以官方附表为准〔待核实〕"),
    ("522", "503", False, "补助收入：旧522 → 新503"),
    ("531", "504", False, "其他收入：旧531 → 新504"),
    ("541", "513", False, "管理费用：旧541 → 新513"),
    ("551", "515", False, "其他支出：旧551 → 新515"),
    ("561", "502", False, "投资收益：旧561 → 新502"),
)


def load_chart_reference(chart_model, mapping_model) -> tuple[int, int]:
    """Insert the missing rows of both charts and the mapping (idempotent); returns rows created.

    Takes the model classes so that the data migration can pass its historical models.
    """
    existing = set(chart_model.objects.values_list("chart_version", "code"))
    charts = [
        chart_model(
            chart_version=str(version),
            code=code,
            name=name,
            account_class=str(cls),
            normal_balance=str(bal),
            balance_sheet_line=line,
            is_contra=contra,
            is_two_sided=two_sided,
        )
        for version, rows in CHARTS.items()
        for code, name, cls, bal, line, contra, two_sided in rows
        if (str(version), code) not in existing
    ]
    chart_model.objects.bulk_create(charts)
    names = {(v, c): n for v, c, n in chart_model.objects.values_list("chart_version", "code", "name")}
    existing_maps = set(mapping_model.objects.values_list("mapping_version", "old_code", "new_code"))
    maps = [
        mapping_model(
            mapping_version=MAPPING_2023_20,
            old_code=old,
            old_name=names[("2004", old)],
            new_code=new,
            new_name=names[("2023", new)],
            needs_official_appendix=verify,
            note=note,
        )
        for old, new, verify, note in MAPPING_ROWS
        if (MAPPING_2023_20, old, new) not in existing_maps
    ]
    mapping_model.objects.bulk_create(maps)
    return len(charts), len(maps)
