from django.apps import AppConfig


class AutomationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from goodwill.automation.views import rules_panel
        from goodwill.conversations.panels import register_panel

        register_panel(rules_panel, order=300)
        from goodwill.automation.models import RuleRun
        from goodwill.conversations.panels import register_rows

        register_rows(RuleRun)
