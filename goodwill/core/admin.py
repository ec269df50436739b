from django.contrib import admin

from goodwill.core.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "actor", "conversation", "customer"]
    list_filter = ["kind"]
    raw_id_fields = ["actor", "conversation", "customer"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
