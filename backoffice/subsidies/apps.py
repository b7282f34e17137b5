from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "backoffice.subsidies"
    label = "subsidies"
    verbose_name = "惠农政策落实"
