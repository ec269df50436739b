from django.urls import path

from goodwill.channels.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("check-your-email/", views.link_sent, name="link_sent"),
    path("sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("staff/", views.staff_sign_in, name="staff_sign_in"),
    path("new/", views.new_request, name="new"),
    path("c/<int:number>/", views.conversation, name="conversation"),
    path("c/<int:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
