from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "backoffice.regions"
    label = "regions"
    verbose_name = "区划与组织"
