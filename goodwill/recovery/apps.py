from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.recovery"
    verbose_name = "Service recovery"

    def ready(self) -> None:
        from goodwill.insights.registry import register_dashboard
        from goodwill.recovery.dashboards import SERVICE_RECOVERY

        register_dashboard(SERVICE_RECOVERY)
