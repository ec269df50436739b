from django.contrib import admin
from django.urls import include, path

from goodwill.accounts.views import admin_login
from goodwill.core.views import healthz, healthz_worker

admin.site.site_header = "Goodwill administration"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/worker", healthz_worker, name="healthz-worker"),
    path("accounts/", include("goodwill.accounts.urls")),
    path("admin/login/", admin_login, name="admin-login"),  # one sign-in page, with its limits
    path("admin/", admin.site.urls),
    path("api/v1/", include("goodwill.api.urls")),
    path("portal/", include("goodwill.channels.portal.urls")),
    path("forms/", include("goodwill.channels.webform.urls")),
    path("email/", include("goodwill.channels.email.urls")),
    path("search/", include("goodwill.search.urls")),
    path("listening/", include("goodwill.listening.urls")),
    path("live/", include("goodwill.live.urls")),
    path("data/", include("goodwill.data.urls")),
    path("", include("goodwill.callbacks.urls")),
    path("", include("goodwill.recovery.urls")),
    path("", include("goodwill.internal.urls")),
    path("", include("goodwill.voice.urls")),
    path("promises/", include("goodwill.promises.urls")),
    path("memory/", include("goodwill.memory.urls")),
    path("expectations/", include("goodwill.expectations.urls")),
    path("automation/", include("goodwill.automation.urls")),
    path("webhooks/", include("goodwill.webhooks.urls")),
    path("insights/", include("goodwill.insights.urls")),
    path("", include("goodwill.knowledge.urls")),
    path("churn/", include("goodwill.churn.urls")),
    path("", include("goodwill.conversations.urls")),
]
