from django.apps import AppConfig


class PromisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.promises"
    verbose_name = "Promises"

    def ready(self) -> None:
        from goodwill.conversations.badges import ROW, register_badges
        from goodwill.conversations.drafts import register_draft_check
        from goodwill.conversations.panels import register_panel
        from goodwill.conversations.selectors import register_inbox_view
        from goodwill.promises.ui import DUE_VIEW, draft_check, row_badges, sidebar_panel

        register_draft_check(draft_check, order=50)
        register_panel(sidebar_panel, order=40)
        from goodwill.conversations.panels import register_rows
        from goodwill.promises.models import Promise

        register_rows(Promise)
        register_badges(row_badges, slot=ROW)
        register_inbox_view(DUE_VIEW)
        from goodwill.memory.timeline import register_timeline_source
        from goodwill.promises.timeline import promise_entries

        register_timeline_source(promise_entries)
        from goodwill.insights.registry import register_dashboard
        from goodwill.promises.dashboards import PROMISE_KEEPING

        register_dashboard(PROMISE_KEEPING)
