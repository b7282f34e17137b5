from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backoffice.core"
    label = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .audit import register_audited_models
        from .widgets import install_autocomplete_guard

        register_audited_models()
        install_autocomplete_guard()

        from django.contrib import admin

        admin.site.index_title = "工作台"
