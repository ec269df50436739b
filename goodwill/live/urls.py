from django.urls import path

from goodwill.live import views

app_name = "live"

urlpatterns = [
    path("c/<int:number>/", views.poll, name="poll"),
    path("c/<int:number>/heartbeat", views.heartbeat, name="heartbeat"),
    path("c/<int:number>/leave", views.leave, name="leave"),
]
