"""Public trading pages (no login): mounted at /trading/ by backoffice/urls.py."""

from django.urls import path

from . import views

app_name = "trading_public"

urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("results/", views.results, name="results"),
    path("verify/", views.verify, name="verify"),
    path("listings/<str:listing_no>/", views.listing_detail, name="listing"),
    path("listings/<str:listing_no>/files/<int:pk>/", views.attachment, name="attachment"),
]
