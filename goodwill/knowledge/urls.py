from django.urls import path

from goodwill.knowledge.views import help, workspace

app_name = "knowledge"

urlpatterns = [
    # Public help centre
    path("help/", help.home, name="help"),
    path("help/suggest", help.suggest, name="suggest"),
    path("help/c/<slug:slug>/", help.category, name="category"),
    path("help/a/<int:pk>/<slug:slug>/", help.article, name="article"),
    path("help/a/<int:pk>/", help.article, name="article_short"),
    # Agents' workspace
    path("knowledge/", workspace.articles, name="articles"),
    path("knowledge/new", workspace.edit_article, name="new"),
    path("knowledge/<int:pk>/", workspace.edit_article, name="edit"),
    path("knowledge/<int:pk>/history/", workspace.history, name="history"),
    path("knowledge/<int:pk>/history/<int:number>/", workspace.revision, name="revision"),
    path("knowledge/<int:pk>/history/<int:number>/restore", workspace.restore, name="restore"),
    path("knowledge/categories/", workspace.categories, name="categories"),
    path("knowledge/report/", workspace.report, name="report"),
    path("knowledge/c/<int:number>/use", workspace.record_use, name="record_use"),
    path("knowledge/c/<int:number>/accept-need", workspace.accept_need, name="accept_need"),
]
