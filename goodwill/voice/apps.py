from django.apps import AppConfig


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.voice"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from goodwill.conversations.badges import ROW, register_badges
        from goodwill.conversations.panels import register_panel
        from goodwill.conversations.selectors import register_inbox_view
        from goodwill.voice.panels import BAD_FEEDBACK_VIEW, complaint_panel, feedback_panel, row_badges

        register_panel(feedback_panel, order=35)
        register_panel(complaint_panel, order=36)
        from goodwill.conversations.panels import register_rows
        from goodwill.voice.models import Complaint, ExtraMile, Survey

        register_rows(Survey)
        register_rows(Complaint)
        register_rows(ExtraMile)
        register_badges(row_badges, slot=ROW)
        register_inbox_view(BAD_FEEDBACK_VIEW)
        from goodwill.memory.timeline import register_timeline_source
        from goodwill.voice.timeline import complaint_entries, feedback_entries

        register_timeline_source(feedback_entries)
        register_timeline_source(complaint_entries)
        from goodwill.insights.registry import register_dashboard
        from goodwill.voice.dashboards import COMPLAINTS, OUTCOME_CONDUCT

        register_dashboard(OUTCOME_CONDUCT)
        register_dashboard(COMPLAINTS)
