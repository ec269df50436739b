from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "goodwill.conversations"
    label = "conversations"
