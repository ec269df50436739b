"""Sign-in limits: every password attempt is counted before the password is checked.

Two counters per attempt, both fixed windows of LOGIN_RATE_WINDOW seconds:

- the account from this client address (LOGIN_RATE_LIMIT): guesses at one account from
  one place; strangers elsewhere cannot use it to lock the owner out;
- this client address, any account (LOGIN_IP_RATE_LIMIT): one place trying many accounts.

A correct password clears the first and takes back only its own hit from the second, so
an attacker holding one valid account cannot wipe the count of guesses at others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from goodwill.accounts import ratelimit
from goodwill.core.http import client_ip

REFUSED_ATTRIBUTE = "goodwill_sign_in_refused"


@dataclass(frozen=True)
class SignInAttempt:
    account_key: str
    ip_key: str
    refused: bool

    def succeeded(self) -> None:
        ratelimit.reset(self.account_key)
        ratelimit.give_back(self.ip_key)


def start_sign_in_attempt(request: HttpRequest, username: str) -> SignInAttempt:
    """Count an attempt at `username` from the request's client; `refused` when over a limit."""
    ip = client_ip(request)
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    account_key, ip_key = f"login-account-ip:{account}:{ip}", f"login-ip:{ip}"
    window = settings.LOGIN_RATE_WINDOW
    # Both counters move on every attempt, so a refusal by one still counts on the other.
    account_count = ratelimit.count(account_key, window_seconds=window)
    ip_count = ratelimit.count(ip_key, window_seconds=window)
    refused = account_count > settings.LOGIN_RATE_LIMIT or ip_count > settings.LOGIN_IP_RATE_LIMIT
    if refused:
        setattr(request, REFUSED_ATTRIBUTE, True)
    return SignInAttempt(account_key, ip_key, refused)


def sign_in_was_refused(request: HttpRequest) -> bool:
    return bool(getattr(request, REFUSED_ATTRIBUTE, False))
