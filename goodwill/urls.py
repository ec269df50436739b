from django.contrib import admin
from django.urls import include, path

from goodwill.core.views import healthz, healthz_worker

admin.site.site_header = "Goodwill administration"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/worker", healthz_worker, name="healthz-worker"),
    path("accounts/", include("goodwill.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("goodwill.api.urls")),
    path("portal/", include("goodwill.channels.portal.urls")),
    path("email/", include("goodwill.channels.email.urls")),
    path("search/", include("goodwill.search.urls")),
    path("live/", include("goodwill.live.urls")),
    path("", include("goodwill.knowledge.urls")),
    path("", include("goodwill.conversations.urls")),
]
