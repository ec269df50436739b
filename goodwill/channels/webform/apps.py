from django.apps import AppConfig


class WebFormChannelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.channels.webform"
    label = "webform"
    verbose_name = "Web forms"
