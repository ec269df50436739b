from django.urls import path

from goodwill.memory import views

app_name = "memory"

urlpatterns = [
    path("customers/<int:pk>/facts", views.add, name="add_fact"),
    path("customers/<int:pk>/timeline", views.timeline, name="timeline"),
    path("customers/<int:pk>/merge", views.merge, name="merge"),
    path("facts/<int:pk>/", views.fact_page, name="fact"),
    path("facts/<int:pk>/edit", views.edit, name="edit_fact"),
    path("facts/<int:pk>/outdated", views.outdated, name="outdated_fact"),
    path("suggest", views.suggest, name="suggest"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
]
