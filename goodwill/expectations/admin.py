from django.contrib import admin

from goodwill.expectations.models import Holiday, Schedule, SlaPolicy, SlaTarget, WaitingFigure


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "priority", "channel", "customer_kind"]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_default"]
    inlines = [HolidayInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["conversation", "kind", "status", "due_at", "outcome", "margin_seconds"]
    list_filter = ["kind", "status", "outcome"]
    raw_id_fields = ["conversation", "policy"]


@admin.register(WaitingFigure)
class WaitingFigureAdmin(admin.ModelAdmin):
    list_display = ["month", "segment_label", "kind", "count", "p50_seconds", "p90_seconds"]
    list_filter = ["kind"]
