"""The prose sections of the interface standard (``interface_doc.py`` assembles them with the generated
tables). Values that the code decides (limits, window, page sizes) are passed in, never typed here."""

from __future__ import annotations

import json

from .signing import compute_signature

#: the worked signing example: fixed inputs so that the committed document is reproducible
EXAMPLE_SECRET = "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a"
EXAMPLE_TIMESTAMP = "1732670000"
EXAMPLE_NONCE = "7c1e9a3f5b2d4e6a8c0b"
EXAMPLE_BODY = {
    "account": "6228480000012345678",
    "transactions": [
        {
            "bank_serial": "20241127000123",
            "txn_date": "2024-11-27",
            "txn_time": "09:30:15",
            "direction": "credit",
            "amount": "15000.00",
            "balance_after": "268000.00",
            "counterparty_name": "张三",
            "counterparty_account": "6217000000000000001",
            "summary": "土地承包费",
        }
    ],
}


KIND_PURPOSES = {
    "county_platform": "县级三资平台与省级平台之间的数据交换",
    "vendor": "财务软件、业务系统按本标准报送和读取数据",
    "bank": "银农直连交易流水实时推送（第 7 节）",
}


def overview(*, page_size: int, max_page_size: int, max_items: int, grace_hours: int, kinds: list) -> str:
    """Sections 1–5: formats, authentication, rate limits, queries and the batch upsert."""
    kinds = "\n".join(f"| {label} | `{code}` | {KIND_PURPOSES.get(code, '')} |" for code, label in kinds)
    return f"""## 1. 概述

- **基础地址**：`https://<平台域名>/api/v1/`。OpenAPI 3 接口描述：`/api/v1/schema/`（JSON/YAML），
  在线文档：`/api/v1/docs/`（Swagger UI）、`/api/v1/redoc/`。接口描述与本文件由同一份记录类型定义生成。
- **编码与格式**：请求和响应均为 UTF-8 编码的 JSON（`Content-Type: application/json`）。
- **字段名**为英文（与导入模板的隐藏代码一致），说明为中文。
- **数据格式**：金额为十进制字符串，单位元（如 `"15000.00"`）；日期 `YYYY-MM-DD`；时间 `HH:MM:SS`；
  日期时间为带时区的 ISO 8601（如 `2024-03-01T08:30:00+08:00`）；是/否为 JSON 布尔值；
  可选值（下拉选择）按**代码**传输，写入时也接受中文名称。
- **引用**（如合同所属的集体经济组织）按被引用记录的**业务编码**传输，而不是数据库编号；
  业务编码由多段组成时以 ` | `（竖线前后各一个空格）连接，例如 `N2140121MF0000001X | HT-2024-001`。
- **个人信息**（身份证号、银行账号、手机号）加密保存，默认**脱敏**返回（如 `140121********1234`）；
  只有被授权“查看完整个人信息”的客户端才返回完整号码。写入时传脱敏值（含 `*`）表示“不修改”。
- **数据范围**：每个客户端登记一个数据范围（区划）和允许使用的记录类型；查询只返回范围内的数据，
  写入范围外的数据按条目报错 `out_of_scope`。与后台页面、Excel 导入导出使用同一套范围和校验规则。

| 客户端类型 | 代码 | 用途 |
|---|---|---|
{kinds}

## 2. 认证与访问令牌

- 除银行流水推送外，每个请求都带请求头 `Authorization: Bearer <令牌>`。
- 令牌由平台管理员在后台“接口客户端”中签发，形如 `sanzi_` 加 40 位随机字符，**只在签发时显示一次**，
  平台只保存其摘要和前 12 位（用于核对）。请妥善保存，不要写入日志或代码仓库。
- 令牌可设失效时间；**轮换**时签发新令牌，旧令牌在 {grace_hours} 小时内仍可使用，便于切换；
  **吊销**立即生效。令牌无效、过期或已吊销时返回 401 `token_invalid`。
- 客户端停用后，其全部令牌和签名密钥都不能使用（403 `client_inactive`）。
- 客户端只能使用登记的记录类型（否则 403 `type_not_allowed`）；没有写入权限的客户端不能调用批量写入
  （403 `write_not_allowed`）。

## 3. 访问频率限制

每个客户端登记每分钟请求上限（默认 60 次）。超过时返回 429 `rate_limited`，响应头 `Retry-After`
给出可再次请求的秒数。批量写入和流水推送一次可提交多条数据，请合并提交而不是逐条调用。

## 4. 查询

### 4.1 列表：`GET /api/v1/records/<记录类型>/`

| 参数 | 说明 |
|---|---|
| `region` | 区划代码前缀（2–12 位，须在客户端数据范围内），如 `140121100` |
| `org` | 所属集体经济组织的统一社会信用代码 |
| `review_status` | 审核状态代码：`draft` 草稿、`submitted` 待审核、`approved` 已审核、`returned` 已退回 |
| `updated_after` | 只返回该时间之后修改的记录（ISO 8601），用于增量同步 |
| `page_size` | 每页条数，1–{max_page_size}，默认 {page_size} |
| `cursor` | 分页游标，取自上一页响应的 `next` / `previous` 链接，不要自行构造 |

响应：`{{"next": "<下一页地址或 null>", "previous": "<上一页地址或 null>", "results": [<记录>, …]}}`。
每条记录包含 `key`（业务编码）、第 9 节所列字段，以及只读的 `review_status`（审核状态）、
`updated_at`（最后修改时间）和 `region_code`（所属区划代码）。游标按记录顺序稳定，翻页期间新增的记录不会
造成重复或遗漏。增量同步时记下本次开始的时间，下次用 `updated_after` 查询。

### 4.2 单条：`GET /api/v1/records/<记录类型>/item/?key=<业务编码>`

按业务编码读取一条记录；不存在或不在数据范围内时返回 404 `not_found`。

## 5. 批量写入：`POST /api/v1/records/<记录类型>/batch/`

```json
{{"policy": "all_or_nothing", "items": [{{"<字段名>": "<值>", "…": "…"}}]}}
```

- 一次最多 {max_items} 条（超过返回 413 `too_many_items`）。
- **按业务编码新增或修改**（upsert）：业务编码不存在则新增，存在则修改；与已存数据相同的条目记为
  `unchanged`，不产生修改记录。同一批次内重复的业务编码报 `duplicate_in_batch`。
- 条目中**没有出现的字段保持原值**；值为 `null` 表示清空该字段。新增记录时第 9 节标“是”的必填字段都要提供。
- **策略** `policy`：`all_or_nothing`（默认）有任何条目出错则整批不写入，正确的条目记为 `not_written`；
  `valid_rows` 只写入正确的条目，出错的条目跳过。
- **试算** `"dry_run": true`：与正式报送完全相同地校验，但不写入任何数据；响应中正确的条目记为
  `would_create`（将新增）或 `would_update`（将修改），`counts` 相应为 `would_create`、`would_update`、
  `unchanged`、`invalid`，并带 `"dry_run": true`。试算的批次在后台“导入任务”中显示为已取消。
- 每一批是一个导入批次（后台“导入任务”中可查看，必要时可整批撤销）；校验规则、错误说明与 Excel 导入完全相同。
  已审核的记录被修改后退回“草稿”，需重新审核；写入后触发实时预警规则。

响应（HTTP 200，即使部分条目有错误）：

```json
{{
  "batch": 1024,
  "policy": "valid_rows",
  "counts": {{"created": 1, "updated": 0, "unchanged": 0, "invalid": 1, "not_written": 0}},
  "items": [
    {{"index": 0, "key": "N2140121MF0000001X | HT-2024-001", "status": "created", "errors": []}},
    {{"index": 1, "key": "N2140121MF0000001X | HT-2024-002", "status": "invalid",
     "errors": [{{"field": "start_date", "label": "起始日期", "code": "invalid_value",
                 "message": "“2024-02-30”不是有效的日期，请写成 2024-03-01 或 2024年3月1日"}}]}}
  ]
}}
```

条目状态 `status`：`created` 新增、`updated` 修改、`unchanged` 未变化、`invalid` 有错误、
`not_written` 本身正确但按策略未写入。`errors` 中每项给出字段名 `field`（整条记录的问题为 `__all__`）、
中文字段名 `label`、错误代码 `code`（第 6 节）和中文说明 `message`。
"""


def errors_intro() -> str:
    """Section 6 up to the error-code table."""
    return """## 6. 错误响应与错误代码

请求级错误（整个请求被拒绝）的响应体为 `{"error": {"code": "<错误代码>", "message": "<中文说明>"}}`，
HTTP 状态码：400 请求格式或参数错误、401 未认证或签名校验失败、403 无权限或超出数据范围、
404 记录或账号不存在、409 同一账号的流水正被同时写入（银行推送）、413 请求过大或条目过多、
429 请求过于频繁。条目级错误见第 5 节的 `errors`。
`message` 会给出具体原因（哪个字段、什么值、应如何填写），下表是每个代码的含义：

| 错误代码 | 含义 |
|---|---|
"""


def bank_push(*, window: int, max_items: int) -> str:
    """Section 7 up to the field table of a pushed transaction (generated by ``interface_doc``)."""
    return f"""## 7. 银行流水推送（银农直连）：`POST /api/v1/bank/transactions/`

银行按账号实时推送交易流水。推送的流水与银行对账单文件导入走同一处理流程：按（账号、银行流水号、交易日期）
**幂等**——重复推送不会重复登记；检查余额连续性；写入后触发实时预警规则（如大额资金收付）。

### 7.1 签名

推送不用访问令牌，而用客户端的**签名密钥**签名（密钥由平台管理员生成，只显示一次，加密保存）。每个请求带：

| 请求头 | 说明 |
|---|---|
| `X-Client` | 客户端编码 |
| `X-Timestamp` | 当前 Unix 时间戳（秒），与平台时间相差不得超过 {window} 秒（前后均可） |
| `X-Nonce` | 随机串，16–64 位字母、数字、`-` 或 `_`；**每个请求一个新的随机串**，同一客户端不得重复使用 |
| `X-Signature` | 签名：`hex(HMAC-SHA256(签名密钥, 签名内容))`，小写十六进制 |

签名内容 = `"<X-Timestamp>\\n<X-Nonce>\\n"` 的 UTF-8 字节，后接原始请求体的字节（`\\n` 为换行符）。

签名针对**发送的原始字节**计算：先序列化请求体，再用同一份字节签名并发送，不要签名后再格式化。
平台依次校验：客户端存在 → 签名正确 → 时间戳在窗口内 → 随机串格式 → 客户端已启用、类型为银行、
有写入权限 → 随机串未使用过（重放的请求返回 401 `nonce_reused`）→ 请求体 → 账号已登记（404
`account_unknown`）且在客户端数据范围内（403 `out_of_scope`）。签名不正确的请求不会占用随机串。

### 7.2 请求体

```json
{{"account": "<本方银行账号>", "policy": "valid_rows", "transactions": [{{…}}, …]}}
```

- `account`：本方银行账号（6–32 位数字），须已在平台“银行账户”中登记。一次推送一个账号。
- `policy`：`valid_rows`（默认，与对账单文件导入相同：保存正确的流水，错误的跳过）或 `all_or_nothing`
  （有任何错误则本次全部不保存）。
- `transactions`：交易流水数组，一次最多 {max_items} 笔（超过返回 413 `too_many_items`）。每笔的字段见下表：

"""


def bank_push_example(*, window: int) -> str:
    """Sections 7.3–7.4: the response and a worked signature computed from fixed inputs."""
    body = json.dumps(EXAMPLE_BODY, ensure_ascii=False, separators=(",", ":"))
    signature = compute_signature(EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_NONCE, body.encode())
    return f"""### 7.3 响应

HTTP 200，每笔流水一个结果（顺序与请求相同）：

```json
{{
  "batch": "api-<客户端编码>-<时间戳>",
  "account": "622848*********5678",
  "policy": "valid_rows",
  "counts": {{"created": 1, "updated": 0, "unchanged": 0, "invalid": 0, "not_written": 0, "gaps": 0}},
  "items": [{{"index": 0, "key": "622848*********5678 | 20241127000123 | 2024-11-27",
             "status": "created", "errors": [], "warnings": []}}]
}}
```

- `created` 新登记；`unchanged` 该流水已登记（重复推送），未作改动；`invalid` 有错误未保存（`errors`
  说明原因；同一流水号、同一交易日期但金额或方向不同报 `bank_txn_conflict`，已登记的流水保持不变）；
  `not_written` 本身正确但按 `all_or_nothing` 策略未保存。银行流水不会被修改，`updated` 恒为 0。
- `warnings` 是提示，流水**已保存**：`balance_gap` 余额不连续（上一笔余额 ± 本笔金额 ≠ 本笔交易后余额，
  通常是缺少中间的流水，补推后即连续）；`unknown_field` 本接口未定义的字段（已忽略）。
- 网络超时等情况下可以**用新的随机串和新的时间戳重新签名、原样重发**同一批流水：已登记的流水记为
  `unchanged`，不会重复登记。

### 7.4 签名示例（Python）

```python
import hashlib, hmac, json, secrets, time
import urllib.request

secret = "<签名密钥>"  # 平台管理员提供，只显示一次
body = json.dumps(
    {{"account": "6228480000012345678", "transactions": [...]}}, ensure_ascii=False, separators=(",", ":")
).encode("utf-8")
timestamp = str(int(time.time()))
nonce = secrets.token_hex(16)  # 32 位，每个请求不同
message = f"{{timestamp}}\\n{{nonce}}\\n".encode() + body  # 时间戳、随机串、原始请求体
signature = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
request = urllib.request.Request(
    "https://<平台域名>/api/v1/bank/transactions/",
    data=body,
    method="POST",
    headers={{
        "Content-Type": "application/json",
        "X-Client": "<客户端编码>",
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": signature,
    }},
)
print(urllib.request.urlopen(request).read().decode("utf-8"))
```

用下列固定输入核对实现（实际调用时时间戳须为当前时间，示例时间戳已超出 {window} 秒窗口）：

- 签名密钥：`{EXAMPLE_SECRET}`
- `X-Timestamp`：`{EXAMPLE_TIMESTAMP}`，`X-Nonce`：`{EXAMPLE_NONCE}`
- 请求体（UTF-8，无多余空格）：

```json
{body}
```

- 计算结果 `X-Signature`：`{signature}`
"""
