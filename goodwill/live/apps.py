from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "goodwill.live"
    label = "live"

    def ready(self) -> None:
        # The conversation page and composer know nothing of live: it adds itself here.
        from goodwill.conversations.collisions import register_replying_check
        from goodwill.conversations.panels import COMPOSER, register_panel
        from goodwill.live.panels import live_panel, names_replying

        register_panel(live_panel, slot=COMPOSER)
        register_replying_check(names_replying)
