from django.apps import AppConfig


class DebtsConfig(AppConfig):
    name = "backoffice.debts"
    label = "debts"
    verbose_name = "债权债务"
