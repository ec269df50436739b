from django.contrib import admin

from goodwill.core.models import Delivery, Event, WorkerBeat


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


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} d"


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin):
    """Workers and queue: live workers, then queued, running, stuck and failed tasks per kind."""

    list_display = ["worker_id", "backend", "hostname", "pid", "started_at", "seen_at", "current_task"]
    ordering = ["-seen_at"]
    change_list_template = "admin/core/workerbeat/change_list.html"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        from goodwill.core.queue import delivery_stats, task_stats, worker_health

        rows = [
            {
                **item.__dict__,
                "oldest_queued_age": _age(item.oldest_queued),
                "oldest_running_age": _age(item.oldest_running),
                "last_failed_age": _age(item.last_failed),
            }
            for item in task_stats()
        ]
        healthy, health = worker_health()
        context = {
            **(extra_context or {}),
            "task_rows": rows,
            "health": health,
            "healthy": healthy,
            "deliveries": delivery_stats(),
        }
        return super().changelist_view(request, extra_context=context)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Outgoing sends and their state: stuck ones (sending past their lease), resends and sweeps."""

    list_display = ["key", "state", "attempts", "resends", "sweeps", "lease_until", "sent_at", "updated_at"]
    list_filter = ["state"]
    search_fields = ["key", "message_id"]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
