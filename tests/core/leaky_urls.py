"""A deliberately unscoped admin, mounted only by the test that proves the parity detector catches it."""

from django.urls import path
from unfold.admin import ModelAdmin
from unfold.sites import UnfoldAdminSite

from backoffice.regions.models import CollectiveOrg
from backoffice.urls import urlpatterns as project_urlpatterns


class LeakyOrgAdmin(ModelAdmin):
    """Forgets to scope its queryset: the mistake every peer shipped at least once (PEERS.md §2)."""

    list_display = ("name", "region")


leaky_site = UnfoldAdminSite(name="leaky")
leaky_site.register(CollectiveOrg, LeakyOrgAdmin)

urlpatterns = [path("leaky/", leaky_site.urls), *project_urlpatterns]
