from django.urls import path

from goodwill.data import views

app_name = "data"

urlpatterns = [
    path("customers/<int:pk>/", views.customer_data, name="customer"),
    path("customers/<int:pk>/export.zip", views.customer_export, name="customer_export"),
    path("retention/", views.retention, name="retention"),
    path("my-data.zip", views.portal_export, name="portal_export"),
]
