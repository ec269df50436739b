from django.urls import path

from goodwill.callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("c/<int:number>/callbacks/", views.schedule, name="schedule"),
    path("callbacks/<int:pk>/log/", views.log_call, name="log"),
    path("callbacks/<int:pk>/cancel/", views.cancel, name="cancel"),
]
