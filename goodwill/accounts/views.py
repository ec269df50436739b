from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from goodwill.accounts.password_reset import TooManyResetRequests, request_password_reset
from goodwill.accounts.services import revoke_agent_tokens
from goodwill.accounts.signin import sign_in_was_refused
from goodwill.core.http import client_ip

TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts. Please wait 15 minutes and try again."
TOO_MANY_RESETS = "Too many password reset requests. Please try again in an hour."


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


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in form would bypass the lock-out answer (429); send admins to ours.

    A signed-in agent who is not an admin is told so (403) instead of being sent round in a
    loop between the two sign-in pages.
    """
    if request.user.is_authenticated:
        return HttpResponseForbidden("Only admins may use the Django admin.")
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Asks the worker to mail a reset link; the request itself never looks the address up."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            request_password_reset(form.cleaned_data["email"], ip=client_ip(self.request))
        except TooManyResetRequests:
            form.add_error(None, TOO_MANY_RESETS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return HttpResponseRedirect(self.get_success_url())


class RevokingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the emailed link also revokes the agent's API tokens."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoke_agent_tokens(form.user)
        return response
