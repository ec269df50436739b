from django.apps import AppConfig


class MemoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.memory"
    verbose_name = "Customer memory"

    def ready(self) -> None:
        from goodwill.conversations.panels import (
            COMPOSER,
            MAIN,
            register_customer_panel,
            register_panel,
        )
        from goodwill.memory import panels, timeline

        register_panel(panels.facts_sidebar, order=10)
        register_panel(panels.greeting_hint, order=10, slot=COMPOSER)
        register_customer_panel(panels.customer_timeline, slot=MAIN)
        register_customer_panel(panels.customer_links, order=5)
        register_customer_panel(panels.customer_facts, order=10)
        register_customer_panel(panels.customer_duplicates, order=20)
        timeline.register_timeline_source(timeline.event_entries)
        timeline.register_timeline_source(timeline.fact_entries)
