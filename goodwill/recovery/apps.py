from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.recovery"
    verbose_name = "Service recovery"

    def ready(self) -> None:
        from goodwill.insights.registry import register_dashboard
        from goodwill.recovery.dashboards import SERVICE_RECOVERY

        register_dashboard(SERVICE_RECOVERY)
        from goodwill.conversations.panels import register_customer_panel, register_panel
        from goodwill.conversations.selectors import register_inbox_view
        from goodwill.memory.timeline import register_timeline_source
        from goodwill.recovery.panels import conversation_panel, customer_panel
        from goodwill.recovery.selectors import RECOVERY_VIEW
        from goodwill.recovery.timeline import case_entries

        register_panel(conversation_panel, order=45)
        from goodwill.conversations.panels import register_rows
        from goodwill.recovery.models import RecoveryCase

        register_rows(RecoveryCase)
        register_customer_panel(customer_panel, order=40)
        register_inbox_view(RECOVERY_VIEW)
        register_timeline_source(case_entries)
