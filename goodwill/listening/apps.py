from django.apps import AppConfig


class ListeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.listening"
    verbose_name = "Listening"
