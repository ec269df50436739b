from django.urls import path

from goodwill.voice import views

app_name = "voice"

urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("feedback/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("voice/grid/", views.grid_page, name="grid"),
    path("c/<int:number>/feedback/followed-up/", views.followed_up, name="followed_up"),
]
