from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.callbacks"
    verbose_name = "Call-backs"

    def ready(self) -> None:
        from goodwill.callbacks.panels import callbacks_panel, row_badges
        from goodwill.callbacks.selectors import DUE_VIEW
        from goodwill.conversations.badges import ROW, register_badges
        from goodwill.conversations.panels import register_panel
        from goodwill.conversations.selectors import register_inbox_view

        register_panel(callbacks_panel, order=40)
        from goodwill.callbacks.models import CallBack
        from goodwill.conversations.panels import register_rows

        register_rows(CallBack)
        register_badges(row_badges, slot=ROW)
        register_inbox_view(DUE_VIEW)
        from goodwill.callbacks.timeline import callback_entries
        from goodwill.memory.timeline import register_timeline_source

        register_timeline_source(callback_entries)
