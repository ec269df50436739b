from django.apps import AppConfig


class InternalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.internal"
    verbose_name = "Internal requests"

    def ready(self) -> None:
        from goodwill.conversations.panels import register_panel
        from goodwill.internal.panels import linked_requests_panel

        register_panel(linked_requests_panel, order=45)
        from goodwill.conversations.panels import register_rows
        from goodwill.internal.models import LinkedRequest

        register_rows(LinkedRequest, "origin")
        register_rows(LinkedRequest, "request")
