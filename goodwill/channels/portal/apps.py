from django.apps import AppConfig


class PortalChannelConfig(AppConfig):
    name = "goodwill.channels.portal"
    label = "portal"
    verbose_name = "Customer portal"
