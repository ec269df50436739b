from django.urls import path

from goodwill.voice import (
    extra_mile_views,
    improvement_views,
    interview_views,
    pulse_views,
    survey_settings_views,
    views,
)

app_name = "voice"

urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("feedback/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("voice/grid/", views.grid_page, name="grid"),
    path("pulse/<str:token>/", pulse_views.answer, name="pulse"),
    path("pulse/<str:token>/unsubscribe/", pulse_views.stop, name="pulse_unsubscribe"),
    path("voice/nps-ces/", pulse_views.results, name="pulse_results"),
    path("voice/extra-mile/", extra_mile_views.report, name="extra_mile_report"),
    path("voice/surveys/", survey_settings_views.policy_list, name="survey_policies"),
    path("voice/surveys/<int:pk>/", survey_settings_views.policy_detail, name="survey_policy"),
    path("c/<int:number>/feedback/followed-up/", views.followed_up, name="followed_up"),
    path("c/<int:number>/complaint/", improvement_views.mark, name="complaint"),
    path("c/<int:number>/complaint/thanks/", improvement_views.acknowledge, name="complaint_thanks"),
    path("c/<int:number>/complaint/improvement/", improvement_views.link, name="complaint_link"),
    path("c/<int:number>/extra-mile/", improvement_views.extra_mile, name="extra_mile"),
    path("voice/improvements/", improvement_views.improvement_list, name="improvements"),
    path("voice/improvements/<int:pk>/", improvement_views.improvement_detail, name="improvement"),
    path("interview/<str:token>/", interview_views.answer, name="interview"),
    path("voice/interviews/", interview_views.campaign_list, name="campaigns"),
    path("voice/interviews/<int:pk>/", interview_views.campaign_detail, name="campaign"),
    path("voice/interviews/<int:pk>/select/", interview_views.campaign_select, name="campaign_select"),
    path("voice/interviews/<int:pk>/wording/", interview_views.campaign_wording, name="campaign_wording"),
    path("voice/interviews/<int:pk>/status/", interview_views.campaign_status, name="campaign_status"),
    path("voice/interviews/<int:pk>/themes/", interview_views.campaign_themes, name="campaign_themes"),
    path("voice/interviews/<int:pk>/themes/<int:theme_pk>/", interview_views.theme_action, name="theme_action"),
    path("voice/interviews/<int:pk>/answers/<int:answer_pk>/move/", interview_views.move_answer, name="move_answer"),
]
