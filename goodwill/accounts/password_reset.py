"""Asking for a password reset, and the mail the worker sends for it.

The request does the same work for every address (count, enqueue) and never looks the
address up, so neither its answer nor its timing tells whether an account exists; the
worker finds the account and sends the link.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

from goodwill.accounts import ratelimit
from goodwill.core.tasks import retrying_task

EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


class TooManyResetRequests(Exception):
    """This address, or this client address, asked too often in the last hour."""


def request_password_reset(email: str, *, ip: str) -> None:
    """Queue a reset mail for `email`; raises TooManyResetRequests over a limit."""
    address = email.strip().lower()
    window = settings.PASSWORD_RESET_RATE_WINDOW
    # Both counters move on every request, so one IP cannot hide a flood behind many addresses.
    ip_ok = ratelimit.hit(
        f"reset-ip:{ip}", limit=settings.PASSWORD_RESET_IP_RATE_LIMIT, window_seconds=window
    )
    address_ok = ratelimit.hit(
        f"reset-email:{hashlib.sha256(address.encode()).hexdigest()}",
        limit=settings.PASSWORD_RESET_RATE_LIMIT,
        window_seconds=window,
    )
    if not (ip_ok and address_ok):
        raise TooManyResetRequests
    send_password_reset.enqueue(address)


def send_password_reset_mail(address: str) -> None:
    """Mail a reset link to the active agent with this address, if there is one."""
    form = PasswordResetForm(data={"email": address})
    if not form.is_valid():
        return
    base = urlsplit(settings.BASE_URL)
    form.save(
        domain_override=base.netloc,
        use_https=base.scheme == "https",
        email_template_name=EMAIL_TEMPLATE,
        subject_template_name=SUBJECT_TEMPLATE,
    )


@retrying_task(max_attempts=4)
def send_password_reset(address: str) -> None:
    """The worker's side of a reset request (re-exported by accounts.tasks)."""
    send_password_reset_mail(address)
