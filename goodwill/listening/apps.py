from django.apps import AppConfig


class ListeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.listening"
    verbose_name = "Listening"

    def ready(self) -> None:
        from goodwill.conversations.badges import MESSAGE, ROW, register_badges
        from goodwill.conversations.selectors import register_inbox_view
        from goodwill.listening.badges import UPSET_VIEW, message_badges, row_badges

        register_badges(message_badges, slot=MESSAGE)
        register_badges(row_badges, slot=ROW)
        register_inbox_view(UPSET_VIEW)
