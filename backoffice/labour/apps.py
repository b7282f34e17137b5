from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "backoffice.labour"
    label = "labour"
    verbose_name = "集体用工"
