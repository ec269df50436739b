from django.urls import path

from goodwill.churn import views

app_name = "churn"

urlpatterns = [
    path("", views.watch, name="watch"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("settings/<int:team_id>/", views.team_settings, name="settings"),
    path("<int:customer_id>/reach-out/", views.reach_out, name="reach_out"),
    path("<int:customer_id>/recovery/", views.open_recovery, name="recovery"),
]
