from django.urls import path

from goodwill.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>.csv", views.dashboard_csv, name="csv"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
]
