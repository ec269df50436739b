from django.contrib import admin

from goodwill.churn.models import ChurnRun, ChurnSettings


@admin.register(ChurnSettings)
class ChurnSettingsAdmin(admin.ModelAdmin):
    list_display = ["team", "enabled", "factor", "default_interval_days", "min_interval_days", "min_history"]


@admin.register(ChurnRun)
class ChurnRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "trigger", "listed", "customers_seen", "seconds"]
