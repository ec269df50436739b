from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from goodwill.accounts.signin import sign_in_was_refused

TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts. Please wait 15 minutes and try again."


class RateLimitedLoginView(auth_views.LoginView):
    """Sign-in; the limits themselves live in the authentication backend (accounts.signin)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if not sign_in_was_refused(self.request):
            return super().form_invalid(form)
        form.errors.clear()
        form.add_error(None, TOO_MANY_ATTEMPTS)
        response = super().form_invalid(form)
        response.status_code = 429
        return response
