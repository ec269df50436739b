from django.urls import path

from goodwill.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_edit, name="new"),
    path("<int:pk>/", views.webhook_edit, name="detail"),
    path("<int:pk>/test/", views.send_test, name="test"),
    path("<int:pk>/switch/", views.switch, name="switch"),
    path("<int:pk>/delete/", views.webhook_delete, name="delete"),
]
