from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "backoffice.disclosure"
    label = "disclosure"
    verbose_name = "财务公开"
