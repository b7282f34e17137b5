from django.apps import AppConfig


class ReformConfig(AppConfig):
    name = "backoffice.reform"
    label = "reform"
    verbose_name = "产权制度改革成果"
