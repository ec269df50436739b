"""Survey policies (timing, channels, NPS/CES per team) with their wording per language, and the
interview campaigns' extra languages, edited by admins."""

from django.contrib import admin

from goodwill.voice.models import Campaign, CampaignWording, SurveyPolicy, SurveyWording


class SurveyWordingInline(admin.StackedInline):
    model = SurveyWording
    extra = 0


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "is_active",
        "delay_hours",
        "cooldown_days",
        "ask_effort",
        "nps_every_months",
        "by_email",
        "in_portal",
    ]
    inlines = [SurveyWordingInline]


class CampaignWordingInline(admin.StackedInline):
    model = CampaignWording
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "status", "created_at"]
    inlines = [CampaignWordingInline]
