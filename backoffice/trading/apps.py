from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "backoffice.trading"
    label = "trading"
    verbose_name = "产权交易"
