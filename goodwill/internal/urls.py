from django.urls import path

from goodwill.internal import views

app_name = "internal"

urlpatterns = [path("c/<int:number>/ask-team/", views.ask, name="ask")]
