from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "reports.supervision"
    label = "supervision"
    verbose_name = "推进督导"
