from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from goodwill.accounts import ratelimit

WINDOW = 15 * 60


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class RateLimitedLoginView(auth_views.LoginView):
    """Sign-in that refuses further attempts after too many failures per address and per IP."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _keys(self, request: HttpRequest) -> list[str]:
        email = (request.POST.get("username") or "").strip().lower()
        return [f"login-ip:{_client_ip(request)}", f"login-email:{email}"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = settings.LOGIN_RATE_LIMIT
        if any(ratelimit.is_blocked(key, limit=limit) for key in self._keys(request)):
            form = self.get_form()
            form.add_error(None, "Too many failed sign-in attempts. Please wait 15 minutes and try again.")
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if self.request.method == "POST":
            for key in self._keys(self.request):
                ratelimit.hit(key, limit=settings.LOGIN_RATE_LIMIT, window_seconds=WINDOW)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        for key in self._keys(self.request):
            ratelimit.reset(key)
        return super().form_valid(form)
