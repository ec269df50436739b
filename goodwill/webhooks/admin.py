from django.contrib import admin

from goodwill.webhooks.forms import WebhookAdminForm
from goodwill.webhooks.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookAdminForm
    list_display = ("name", "url", "is_active", "consecutive_failures")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook", "topic", "state", "attempts", "last_status", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("event",)
