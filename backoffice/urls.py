"""URL configuration: the admin is the back office; public pages are added by the trading app."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from backoffice.accounts.otp import otp_settings_view

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/account/otp/", otp_settings_view, name="accounts_otp"),
    path("admin/", admin.site.urls),
    # Data-exchange REST API (issue 10): records by natural key, bank push, OpenAPI schema.
    path("api/v1/", include("imports.api.urls")),
    # Public pages of the property-rights trading platform: no login (DOMAIN.md §6.8).
    path("trading/", include("backoffice.trading.public.urls")),
]
