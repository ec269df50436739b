from django.urls import path

from goodwill.data import views

app_name = "data"

urlpatterns = [
    path("customers/<int:pk>/", views.customer_data, name="customer"),
    path("customers/<int:pk>/exports/", views.customer_exports, name="customer_exports"),
    path("exports/<int:pk>/download", views.export_download, name="export_download"),
    path("retention/", views.retention, name="retention"),
    path("my-data/", views.portal_export, name="portal_export"),
    path("my-data/<int:pk>.zip", views.portal_export_download, name="portal_export_download"),
]
