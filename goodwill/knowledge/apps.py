from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from goodwill.conversations.panels import COMPOSER, SIDEBAR, register_panel
        from goodwill.knowledge.panels import need_suggestion_panel, prepared_answers_panel

        register_panel(prepared_answers_panel, slot=COMPOSER, order=20)
        register_panel(need_suggestion_panel, slot=SIDEBAR, order=20)
        from goodwill.conversations.panels import register_rows
        from goodwill.knowledge.models import NeedSuggestion

        register_rows(NeedSuggestion)
