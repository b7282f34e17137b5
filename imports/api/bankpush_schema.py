"""The OpenAPI description of the bank push (serializers used only for the schema: the push is read by
the generic statement adapter, see ``bankpush.py``)."""

from __future__ import annotations

from rest_framework import serializers

from .serializers import ErrorSerializer, ItemErrorSerializer

__all__ = ["ErrorSerializer", "PushRequestSerializer", "PushResultSerializer"]

DESCRIPTION = (
    "银行按账号推送银农直连交易流水。请求须签名：X-Signature = 十六进制 HMAC-SHA256(签名密钥, "
    '"{X-Timestamp}\\n{X-Nonce}\\n" 的 UTF-8 字节 + 原始请求体)。时间戳与服务器时间相差不得超过 300 秒，'
    "随机串每个请求一个、不得重复使用。按（账号、银行流水号、交易日期）幂等：重复推送的流水记为 unchanged，"
    "不重复登记；同一流水号金额或方向不同则该笔记为 invalid。写入后按与对账单文件相同的方式触发实时预警规则。"
)
HEADERS = (
    ("X-Client", "接口客户端编码（银行类客户端）"),
    ("X-Timestamp", "Unix 时间戳（秒）"),
    ("X-Nonce", "随机串，16–64 位字母、数字、“-”或“_”，每个请求不同"),
    ("X-Signature", "签名（小写十六进制 HMAC-SHA256）"),
)
ERROR_STATUSES = (
    (400, "请求体或请求头格式不正确（invalid_request、nonce_invalid）"),
    (
        401,
        "签名、时间戳、随机串或客户端校验未通过（signature_missing、signature_invalid、"
        "timestamp_out_of_window、nonce_reused、client_unknown、client_inactive）",
    ),
    (403, "客户端类型不是银行、没有写入权限，或账号不在客户端数据范围内（out_of_scope）"),
    (404, "银行账号未在平台登记（account_unknown）"),
    (413, "请求体过大或一次推送的流水笔数超过上限（payload_too_large、too_many_items）"),
    (409, "同一账号的流水正被同时写入，请稍后用新的随机串重试（concurrent_write）"),
)


class PushTransactionSerializer(serializers.Serializer):
    bank_serial = serializers.CharField(max_length=64, help_text="银行流水号")
    txn_date = serializers.DateField(help_text="交易日期")
    txn_time = serializers.TimeField(required=False, help_text="交易时间")
    value_date = serializers.DateField(required=False, help_text="起息日")
    direction = serializers.ChoiceField(
        choices=["debit", "credit"], help_text="借贷标志：debit 支出，credit 收入"
    )
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="金额（元）")
    balance_after = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="交易后余额（元）")
    currency = serializers.CharField(required=False, max_length=3, help_text="币种，默认 CNY")
    counterparty_account = serializers.CharField(required=False, help_text="对方账号")
    counterparty_name = serializers.CharField(required=False, max_length=120, help_text="对方户名")
    counterparty_bank = serializers.CharField(required=False, max_length=80, help_text="对方开户行")
    summary = serializers.CharField(required=False, max_length=200, help_text="摘要")
    purpose = serializers.CharField(required=False, max_length=200, help_text="用途")
    receipt_no = serializers.CharField(required=False, max_length=64, help_text="电子回单号")


class PushRequestSerializer(serializers.Serializer):
    account = serializers.CharField(help_text="本方银行账号（6–32 位数字）")
    policy = serializers.ChoiceField(
        choices=["valid_rows", "all_or_nothing"],
        required=False,
        help_text="valid_rows（默认）：保存正确的流水；all_or_nothing：有任何错误则全部不保存",
    )
    transactions = PushTransactionSerializer(many=True, help_text="交易流水，最多 1000 笔")


class PushItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="在 transactions 中的序号（从 0 开始）")
    key = serializers.CharField(help_text="业务编码：账号（脱敏） | 银行流水号 | 交易日期")
    status = serializers.ChoiceField(
        choices=["created", "unchanged", "invalid", "not_written"], help_text="处理结果"
    )
    errors = ItemErrorSerializer(many=True)
    warnings = ItemErrorSerializer(many=True, help_text="提示（如余额不连续），流水已保存")


class PushCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="银行流水不被修改，恒为 0")
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    not_written = serializers.IntegerField()
    gaps = serializers.IntegerField(help_text="余额不连续的笔数")


class PushResultSerializer(serializers.Serializer):
    batch = serializers.CharField(help_text="导入批次（保存在流水的“导入批次”字段）")
    account = serializers.CharField(help_text="账号（脱敏）")
    policy = serializers.CharField()
    counts = PushCountsSerializer()
    items = PushItemSerializer(many=True)
