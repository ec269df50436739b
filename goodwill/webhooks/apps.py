from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.webhooks"
    verbose_name = "Webhooks"
