from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "backoffice.contracts"
    label = "contracts"
    verbose_name = "承包（租赁）合同"
