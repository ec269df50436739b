from django.urls import path

from goodwill.expectations import views

app_name = "expectations"

urlpatterns = [
    path("", views.measured, name="measured"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:pk>/", views.policy_edit, name="policy"),
    path("policies/<int:pk>/delete", views.policy_delete, name="policy_delete"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path("schedules/<int:pk>/delete", views.schedule_delete, name="schedule_delete"),
    path("holidays/<int:pk>/delete", views.holiday_delete, name="holiday_delete"),
]
