from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "reports.supervision"
    label = "supervision"
    verbose_name = "推进督导"

    def ready(self) -> None:
        # The core audits every region-scoped model; a bulletin's workbook is binary and its data a large
        # frozen JSON, neither belongs in an audit diff (the creation itself is still audited).
        from auditlog.registry import auditlog

        from .models import Bulletin

        if auditlog.contains(Bulletin):
            auditlog.unregister(Bulletin)
        auditlog.register(Bulletin, exclude_fields=["xlsx", "data"])
