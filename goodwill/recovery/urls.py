from django.urls import path

from goodwill.recovery import views

app_name = "recovery"

urlpatterns = [
    path("recovery/", views.queue, name="queue"),
    path("recovery/settings/", views.recovery_settings, name="settings"),
    path("recovery/<int:pk>/", views.case_detail, name="case"),
    path("recovery/<int:pk>/close/", views.close, name="close"),
    path("recovery/<int:pk>/take/", views.take, name="take"),
    path("recovery/steps/<int:pk>/tick/", views.tick, name="tick"),
    path("recovery/customers/<int:pk>/open/", views.open_for_customer, name="open_for_customer"),
    path("c/<int:number>/recovery/", views.open_on_conversation, name="open"),
]
