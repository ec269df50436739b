"""The authentication backend: Django's ModelBackend behind the sign-in limits.

Every door that checks a password with a request (the sign-in page, the admin's sign-in)
goes through `authenticate`, so the limit is counted here, before the password hash runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.accounts.signin import start_sign_in_attempt


class RateLimitedModelBackend(ModelBackend):
    def authenticate(  # type: ignore[override]  # django-stubs' BaseBackend takes **kwargs only
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Agent | None:
        if request is None or not username or password is None:
            # No client to count (a shell, the test client's login()); nothing to guess with.
            return super().authenticate(request, username=username, password=password, **kwargs)
        attempt = start_sign_in_attempt(request, username)
        if attempt.refused:
            # PermissionDenied stops authenticate() at once: no other backend, no hash.
            raise PermissionDenied("too many sign-in attempts")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            attempt.succeeded()
        return user
