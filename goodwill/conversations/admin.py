from django.contrib import admin

from goodwill.conversations.models import (
    ContactReason,
    Conversation,
    CustomField,
    Macro,
    Message,
    SavedView,
    Tag,
)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "channel",
        "assignee",
        "team",
        "last_message_at",
    ]
    list_filter = ["status", "channel", "priority"]
    search_fields = ["=number", "subject"]
    raw_id_fields = ["customer", "assignee", "merged_into", "need"]
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "direction", "kind", "created_at", "delivery"]
    raw_id_fields = ["conversation", "author_agent", "author_customer"]
    show_full_result_count = False


@admin.register(ContactReason)
class ContactReasonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_active"]
    search_fields = ["name"]


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "type", "is_active", "position"]


admin.site.register(Tag)


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "set_status", "need", "owner", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "text"]
    raw_id_fields = ["owner"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "sort", "is_shared"]
    raw_id_fields = ["owner"]
