from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "backoffice.funds"
    label = "funds"
    verbose_name = "资金监测"
