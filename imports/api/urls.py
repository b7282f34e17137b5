"""URLs of the REST API, mounted at ``/api/v1/`` (backoffice/urls.py): one set of record endpoints per
record type of the registry, the OpenAPI schema and its rendered docs (offline assets)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from . import bankpush
from .registry import is_writable, label_of, record_types
from .views import UnknownTypeView, views_for

app_name = "api"

#: the schema and its docs are public: vendors read them before they are given a token
PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", **PUBLIC), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", **PUBLIC), name="redoc"),
    path("bank/transactions/", bankpush.BankTransactionPushView.as_view(), name="bank-transactions"),
]
for _model in record_types().values():
    _list, _item, _batch = views_for(_model)
    _label = label_of(_model)
    urlpatterns += [
        path(f"records/{_label}/", _list.as_view(), name=f"{_label}-list"),
        path(f"records/{_label}/item/", _item.as_view(), name=f"{_label}-item"),
    ]
    if is_writable(_model):
        urlpatterns.append(path(f"records/{_label}/batch/", _batch.as_view(), name=f"{_label}-batch"))
urlpatterns += [
    path("records/<str:record_type>/", UnknownTypeView.as_view()),
    path("records/<str:record_type>/<str:action>/", UnknownTypeView.as_view()),
]
