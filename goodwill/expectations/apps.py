from django.apps import AppConfig


class ExpectationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.expectations"
    verbose_name = "Expectations"

    def ready(self) -> None:
        from goodwill.conversations.badges import ROW, register_badges
        from goodwill.conversations.panels import register_panel
        from goodwill.conversations.selectors import register_inbox_view, register_sort
        from goodwill.expectations import badges

        register_badges(badges.row_badges, slot=ROW)
        register_panel(badges.sla_panel, order=30)
        from goodwill.conversations.panels import register_rows
        from goodwill.expectations.models import SlaTarget

        register_rows(SlaTarget)
        register_sort(**badges.TIME_LEFT_SORT)
        register_inbox_view(badges.BREACHING_VIEW)
        badges.offer_sort_choice()
