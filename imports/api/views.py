"""Record endpoints generated from the registry of record types (issue 10 item 1):

- ``GET  /api/v1/records/<type>/``        list (filters, cursor pagination), scoped by ``visible_to``
- ``GET  /api/v1/records/<type>/item/``   one record by ``?key=<natural key>``
- ``POST /api/v1/records/<type>/batch/``  batch upsert through the import engine (``batch.py``)

One view class per record type is built by ``views_for(model)`` so that the OpenAPI schema describes
each type's own fields.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..natural_keys import FkResolver, split_key
from ..resources import columns_for
from .batch import api_batch_upsert
from .errors import ApiError
from .keys import find_by_key, keys_for
from .registry import label_of
from .serializers import (
    BatchResultSerializer,
    ErrorSerializer,
    batch_serializer,
    iso_moment,
    record_serializer,
    render_value,
)

REGION_RE = re.compile(r"^\d{2,12}$")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="请求参数不正确"),
    401: OpenApiResponse(ErrorSerializer, description="令牌无效、过期或已吊销"),
    403: OpenApiResponse(ErrorSerializer, description="无权使用此记录类型或操作"),
    429: OpenApiResponse(ErrorSerializer, description="请求过于频繁"),
}


class RecordCursorPagination(CursorPagination):
    """Opaque cursor over the primary key (stable under inserts); ``page_size`` ≤ 500."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "每页条数（1–500，默认 100）"
    cursor_query_description = "分页游标（取自上一页的 next / previous 链接）"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise ApiError(400, "invalid_cursor") from None


class RecordView(APIView):
    """Shared checks: the client may use this type (403), the service user has the model permission."""

    model = None

    @property
    def label(self) -> str:
        return label_of(self.model)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        client = request._request.api_client
        if not client.allows(self.label):
            raise ApiError(403, "type_not_allowed", f"该客户端无权使用记录类型“{self.label}”")
        meta = self.model._meta
        if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            raise ApiError(403, "permission_denied")

    def reveal(self, request) -> bool:
        return request.user.has_perm("core.reveal_sensitive")

    def queryset(self, request):
        return self.model._default_manager.visible_to(request.user)

    def log_export(self, request, count: int) -> None:
        """Reads through the API are exports: logged like the admin's (``ExportLog``, channel 接口)."""
        from ..models import ExportLog

        reveal = self.reveal(request) and any(c.kind == "sensitive" for c in columns_for(self.model))
        ExportLog.objects.create(
            user=request.user,
            model_label=self.model._meta.label,
            filter_query=request.META.get("QUERY_STRING", "")[:2000],
            row_count=count,
            full_personal_data=reveal,
            channel=ExportLog.Channel.API,
        )

    def render(self, request, objects) -> list[dict]:
        cols = columns_for(self.model)
        reveal = self.reveal(request)
        keys = {}
        for col in cols:
            if col.kind == "fk":
                pks = {getattr(o, col.attname) for o in objects}
                keys.setdefault(col.related, {}).update(keys_for(col.related, pks, reveal=reveal))
        own = keys_for(self.model, [o.pk for o in objects], reveal=reveal)
        out = []
        for obj in objects:
            row = {"key": own.get(obj.pk, str(obj.pk))}
            for col in cols:
                row[col.name] = render_value(
                    col, getattr(obj, col.attname), keys.get(col.related, {}), reveal=reveal
                )
            if hasattr(obj, "review_status"):
                row["review_status"] = obj.review_status
            if hasattr(obj, "updated_at"):
                row["updated_at"] = iso_moment(obj.updated_at)
            row["region_code"] = getattr(obj, self.model.scope_field, "")
            out.append(row)
        return out


def _bad(message: str):
    return ApiError(400, "invalid_request", message)


class RecordListBase(RecordView):
    pagination_class = RecordCursorPagination

    def filtered(self, request):
        qs = self.queryset(request)
        params = request.query_params
        names = {f.name for f in self.model._meta.concrete_fields}
        region = params.get("region")
        if region:
            if not REGION_RE.match(region):
                raise _bad("参数 region 应为 2–12 位区划代码前缀")
            qs = qs.filter(**{f"{self.model.scope_field}__startswith": region})
        org = params.get("org")
        if org:
            field = next(
                (f for f in self.model._meta.concrete_fields if f.name == "org" and f.is_relation), None
            )
            if field is None:
                raise _bad(f"记录类型“{self.label}”没有所属组织（org）字段，不能按 org 筛选")
            if "\x00" in org:
                raise _bad("参数 org 含有不允许的字符")
            pk = FkResolver(field.related_model).by_key.get(split_key(org))
            qs = qs.filter(org_id=pk) if pk is not None else qs.none()
        review = params.get("review_status")
        if review:
            if "review_status" not in names:
                raise _bad(f"记录类型“{self.label}”没有审核状态")
            choices = dict(self.model._meta.get_field("review_status").flatchoices)
            if review not in choices:
                raise _bad(f"参数 review_status 应为：{'、'.join(str(c) for c in choices)}")
            qs = qs.filter(review_status=review)
        after = params.get("updated_after")
        if after:
            if "updated_at" not in names:
                raise _bad(f"记录类型“{self.label}”没有修改时间，不能按 updated_after 筛选")
            qs = qs.filter(updated_at__gt=_parse_moment(after))
        return qs

    def get(self, request, *args, **kwargs):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.filtered(request), request, view=self)
        request._request.api_item_count = len(page)
        self.log_export(request, len(page))
        return paginator.get_paginated_response(self.render(request, page))


def _parse_moment(text: str) -> dt.datetime:
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise _bad("参数 updated_after 应为 ISO 8601 日期时间，如 2024-03-01T08:00:00+08:00")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class RecordItemBase(RecordView):
    def get(self, request, *args, **kwargs):
        key = request.query_params.get("key", "")
        if not key.strip():
            raise _bad("缺少参数 key（记录的业务编码）")
        if "\x00" in key or len(key) > 500:
            raise _bad("参数 key 不正确")
        obj = find_by_key(self.model, self.queryset(request), key, reveal=self.reveal(request))
        if obj is None:
            raise ApiError(
                404,
                "not_found",
                f"找不到业务编码为“{key}”的{self.model._meta.verbose_name}（或不在数据范围内）",
            )
        request._request.api_item_count = 1
        self.log_export(request, 1)
        return Response(self.render(request, [obj])[0])


class RecordBatchBase(RecordView):
    def post(self, request, *args, **kwargs):
        client = request._request.api_client
        meta = self.model._meta
        if not client.can_write:
            raise ApiError(403, "write_not_allowed")
        user = request.user
        if not (
            user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
            or user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        ):
            raise ApiError(403, "write_not_allowed")
        try:
            # read the raw body first (Django keeps it, the JSON parser then reads the copy): it is stored
            # as the import job's file, the audit of exactly what was sent
            raw = request._request.body
            body = request.data
        except RequestDataTooBig:
            raise ApiError(413, "payload_too_large") from None
        if not isinstance(body, dict):
            raise _bad('请求体应为 JSON 对象：{"policy": ..., "items": [...]}')
        policy = body.get("policy", "all_or_nothing")
        if policy not in ("valid_rows", "all_or_nothing"):
            raise _bad("policy 应为 valid_rows 或 all_or_nothing")
        dry_run = body.get("dry_run", False)
        if not isinstance(dry_run, bool):
            raise _bad("dry_run 应为 true 或 false")
        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise _bad("items 应为非空数组")
        limit = getattr(settings, "API_BATCH_MAX_ITEMS", 1000)
        if len(items) > limit:
            raise ApiError(413, "too_many_items", f"单批最多 {limit} 条，本次 {len(items)} 条；请分批提交")
        request._request.api_item_count = len(items)
        result = api_batch_upsert(
            client=client, model=self.model, items=items, policy=policy, raw_body=raw, dry_run=dry_run
        )
        request._request.api_job_id = result["batch"]
        return Response(result)


def _copy(method):
    def handler(self, request, *args, **kwargs):
        return method(self, request, *args, **kwargs)

    handler.__doc__ = method.__doc__
    return handler


@cache
def views_for(model) -> tuple[type, type, type]:
    """The list, item and batch view classes of one record type (schema per type)."""
    label = label_of(model)
    name = str(model._meta.verbose_name)
    tag = label
    record = record_serializer(model)
    list_view = type(f"{model.__name__}ListView", (RecordListBase,), {"model": model})
    # a new function per class: extend_schema annotates the function object, which would be shared
    list_view.get = extend_schema(
        operation_id=f"{label.replace('.', '_')}_list",
        summary=f"{name}：列表",
        tags=[tag],
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码前缀（须在客户端范围内）"),
            OpenApiParameter("org", OpenApiTypes.STR, description="所属组织的统一社会信用代码（业务编码）"),
            OpenApiParameter("review_status", OpenApiTypes.STR, description="审核状态代码"),
            OpenApiParameter(
                "updated_after", OpenApiTypes.DATETIME, description="只返回此时间之后修改的记录"
            ),
        ],
        responses={200: record(many=True), **ERRORS},
    )(_copy(RecordListBase.get))
    item_view = type(f"{model.__name__}ItemView", (RecordItemBase,), {"model": model})
    item_view.get = extend_schema(
        operation_id=f"{label.replace('.', '_')}_item",
        summary=f"{name}：按业务编码读取一条",
        tags=[tag],
        parameters=[
            OpenApiParameter("key", OpenApiTypes.STR, required=True, description="业务编码，多段以“ | ”连接"),
        ],
        responses={200: record, 404: OpenApiResponse(ErrorSerializer, description="找不到"), **ERRORS},
    )(_copy(RecordItemBase.get))
    batch_view = type(f"{model.__name__}BatchView", (RecordBatchBase,), {"model": model})
    batch_view.post = extend_schema(
        operation_id=f"{label.replace('.', '_')}_batch",
        summary=f"{name}：批量新增或修改（按业务编码，幂等）",
        tags=[tag],
        request=batch_serializer(model),
        responses={
            200: BatchResultSerializer,
            413: OpenApiResponse(ErrorSerializer, description="条目过多"),
            **ERRORS,
        },
    )(_copy(RecordBatchBase.post))
    return list_view, item_view, batch_view


class UnknownTypeView(APIView):
    """Any other ``records/<type>/…`` path: 404 ``unknown_type`` (after authentication)."""

    @extend_schema(exclude=True)
    def get(self, request, record_type, action: str = "", *args, **kwargs):
        from .registry import model_for

        if action and model_for(record_type) is not None:
            raise ApiError(
                404, "not_found", f"记录类型“{record_type}”没有“{action}”接口（只读的记录类型不能批量写入）"
            )
        raise ApiError(404, "unknown_type", f"记录类型“{record_type}”不存在")

    post = get
