from django.apps import AppConfig


class ListeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.listening"
    verbose_name = "Listening"

    def ready(self) -> None:
        from goodwill.conversations.badges import MESSAGE, ROW, register_badges
        from goodwill.conversations.drafts import register_draft_check
        from goodwill.conversations.panels import register_panel
        from goodwill.conversations.selectors import register_filter, register_inbox_view, register_sort
        from goodwill.conversations.timeline import register_mask
        from goodwill.listening import badges
        from goodwill.listening.badges import (
            MOOD_FILTER,
            MOOD_SORT,
            UPSET_VIEW,
            abusive_masks,
            message_badges,
            row_badges,
            turn_badges,
        )
        from goodwill.listening.coach import tone_coach_check
        from goodwill.listening.panels import conversation_mood_panel

        register_badges(message_badges, slot=MESSAGE)
        register_badges(row_badges, slot=ROW)
        register_badges(turn_badges, slot=ROW)
        register_inbox_view(UPSET_VIEW)
        register_filter(MOOD_FILTER)
        register_sort(**MOOD_SORT)
        badges.offer_sort_choice()
        register_draft_check(tone_coach_check, order=50)
        register_panel(conversation_mood_panel, order=40)
        from goodwill.conversations.panels import register_rows
        from goodwill.listening.models import MoodTurn

        register_rows(MoodTurn)
        register_mask(abusive_masks)
        from goodwill.conversations.panels import register_customer_panel
        from goodwill.listening.panels import customer_mood_panel

        register_customer_panel(customer_mood_panel, order=30)
