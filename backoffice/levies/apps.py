from django.apps import AppConfig


class LeviesConfig(AppConfig):
    name = "backoffice.levies"
    label = "levies"
    verbose_name = "一事一议筹资筹劳"
