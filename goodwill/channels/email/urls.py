from django.urls import path

from goodwill.channels.email import views

app_name = "email"

urlpatterns = [
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw", views.quarantine_raw, name="quarantine_raw"),
    path("quarantine/<int:pk>/retry", views.quarantine_retry, name="quarantine_retry"),
    path("quarantine/<int:pk>/release", views.quarantine_release, name="quarantine_release"),
    path("quarantine/<int:pk>/delete", views.quarantine_delete, name="quarantine_delete"),
]
