from django.apps import AppConfig


class ChurnConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.churn"
    verbose_name = "Silent-churn watch"

    def ready(self) -> None:
        from goodwill.churn.panels import churn_customer_panel
        from goodwill.conversations.panels import register_customer_panel

        register_customer_panel(churn_customer_panel, order=20)
