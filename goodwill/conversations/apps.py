from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "goodwill.conversations"
    label = "conversations"

    def ready(self) -> None:
        from goodwill.conversations.models import Draft
        from goodwill.conversations.panels import register_rows

        register_rows(Draft)  # most conversations have none: the page skips reading the agent's
