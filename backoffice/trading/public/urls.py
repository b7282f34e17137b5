"""Public trading pages (no login)."""

app_name = "trading_public"

urlpatterns: list = []
