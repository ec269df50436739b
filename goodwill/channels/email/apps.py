from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "goodwill.channels.email"
    label = "email"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from goodwill.conversations.delivery import register_transport

        register_transport("email", "goodwill.channels.email.transport.EmailTransport")
