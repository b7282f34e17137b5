from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RulesConfig(AppConfig):
    name = "rules"
    label = "rules"
    verbose_name = "预警规则与处置"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the rule-file system checks)
        from .permissions import sync_rules_permissions

        post_migrate.connect(sync_rules_permissions, sender=self, dispatch_uid="rules_permissions")
        from .triggers import connect

        connect()
