from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "backoffice.assets"
    label = "assets"
    verbose_name = "资源性资产"
