from django.urls import path

from goodwill.channels.webform import views

app_name = "webform"

urlpatterns = [
    path("<slug:slug>/", views.form_page, name="form"),
    path("<slug:slug>/sent/", views.sent, name="sent"),
    path("<slug:slug>/embed.js", views.embed_script, name="embed_js"),
]
