from django.contrib import admin

from goodwill.automation.models import AgentSkill, AssignmentPolicy, Rule, RuleRun


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "position", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(RuleRun)
class RuleRunAdmin(admin.ModelAdmin):
    list_display = ("rule", "conversation", "event", "created_at")
    raw_id_fields = ("conversation", "event")


@admin.register(AssignmentPolicy)
class AssignmentPolicyAdmin(admin.ModelAdmin):
    list_display = ("team", "mode", "max_open", "by_skill", "return_after_minutes")


@admin.register(AgentSkill)
class AgentSkillAdmin(admin.ModelAdmin):
    list_display = ("agent", "need")
