from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "goodwill.live"
    label = "live"
