from django.contrib.auth import views as auth_views
from django.urls import path

from goodwill.accounts import notice_views, settings_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("notices/", notice_views.notices, name="notices"),
    path("notices/read/", notice_views.read_all, name="notices_read"),
    path("notices/<int:pk>/", notice_views.open_notice, name="notice_open"),
    path("settings/tokens/", settings_views.create_token, name="create_token"),
    path("settings/tokens/<int:pk>/revoke/", settings_views.revoke_token, name="revoke_token"),
    path("password-reset/", views.RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.RevokingPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
