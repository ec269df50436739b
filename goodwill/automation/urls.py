from django.urls import path

from goodwill.automation import views

app_name = "automation"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="new"),
    path("rules/<int:pk>/", views.rule_edit, name="edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="delete"),
    path("assignment/", views.assignment, name="assignment"),
    path("away/", views.toggle_away, name="away"),
]
