from django.apps import AppConfig


class KeyworkConfig(AppConfig):
    name = "backoffice.keywork"
    label = "keywork"
    verbose_name = "重点工作"
