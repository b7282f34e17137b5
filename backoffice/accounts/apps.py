from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "backoffice.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from .roles import sync_role_permissions

        # Permissions of models added later (every record type) are granted to the roles after migrate.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
