from django.urls import path

from goodwill.listening import views

app_name = "listening"

urlpatterns = [
    path("settings/", views.team_settings, name="settings"),
    path("settings/<slug:slug>/", views.team_settings, name="team-settings"),
    path("mask/", views.mask, name="mask"),
]
