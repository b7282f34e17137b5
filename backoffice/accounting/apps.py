from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "backoffice.accounting"
    label = "accounting"
    verbose_name = "会计核算成果"
