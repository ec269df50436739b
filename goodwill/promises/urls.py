from django.urls import path

from goodwill.promises import views

app_name = "promises"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("c/<int:number>/confirm", views.confirm, name="confirm"),
    path("c/<int:number>/drop", views.drop, name="drop"),
    path("c/<int:number>/panel", views.panel, name="panel"),
    path("p/<int:pk>/close", views.close, name="close"),
    path("p/<int:pk>/reschedule", views.reschedule, name="reschedule"),
]
