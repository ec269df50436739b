from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "goodwill.channels.email"
    label = "email"
    verbose_name = "Email channel"
