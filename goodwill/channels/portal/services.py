"""State changes of the customer portal: sign-in links, new requests and replies.

Messages go through `conversations.services`, like every other channel.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts import ratelimit
from goodwill.accounts.models import Agent, Team
from goodwill.channels.portal.models import SignInLink
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import NewAttachment, open_conversation, receive_message
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import (
    find_or_create_customer_by_email,
    find_or_create_internal_customer,
    is_internal_address,
)

LINK_LIFETIME = timedelta(minutes=30)
LINKS_PER_ADDRESS = 5  # per RATE_WINDOW
LINKS_PER_IP = 20
REQUESTS_PER_CUSTOMER = 20  # new conversations per RATE_WINDOW
RATE_WINDOW = 60 * 60
# Replies and new requests together, per signed-in customer and per client address
# (REQUESTS_PER_CUSTOMER still caps the new requests among them).
POSTS_PER_CUSTOMER = 30  # per RATE_WINDOW
POSTS_PER_IP = 90
MAX_TEXT = 20_000
SESSION_KEY = "portal_customer_id"


class TooManyRequests(Exception):
    """Too many sign-in links or posts from this customer, address or network address."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_url(token: str) -> str:
    return f"{settings.BASE_URL}{reverse('portal:sign_in', args=[token])}"


def request_sign_in_link(email: str, *, ip: str | None) -> None:
    """Email a single-use link to `email`, known address or not.

    Every address gets the same treatment, so neither the page nor the mail tells
    anyone whether an address belongs to a customer. Raises TooManyRequests when
    the address or the IP asked too often in the last hour.
    """
    address = Identity.normalise_email(email)
    # Both counters move on every request, so a flood from one IP cannot hide behind many addresses.
    ip_ok = ratelimit.hit(f"portal-link-ip:{ip or 'unknown'}", limit=LINKS_PER_IP, window_seconds=RATE_WINDOW)
    address_ok = ratelimit.hit(
        f"portal-link-email:{hashlib.sha256(address.encode()).hexdigest()}",
        limit=LINKS_PER_ADDRESS,
        window_seconds=RATE_WINDOW,
    )
    if not (ip_ok and address_ok):
        raise TooManyRequests
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Old links of this address are of no use to anyone; drop them as new ones are made.
        SignInLink.objects.filter(email=address, expires_at__lt=now - timedelta(days=1)).delete()
        SignInLink.objects.create(
            email=address,
            token_hash=hash_token(token),
            requested_ip=ip or None,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        url = sign_in_url(token)
        transaction.on_commit(lambda: _send_link(address, url))


def _send_link(address: str, url: str) -> None:
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    send_mail(
        subject="Your sign-in link",
        message=(
            "Hello,\n\n"
            "Someone (hopefully you) asked to sign in to our customer portal with this address.\n"
            f"Open this link within {minutes} minutes to sign in. It works once:\n\n"
            f"{url}\n\n"
            "If you did not ask for it, ignore this message; nothing happens without the link.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )


def link_is_usable(token: str) -> bool:
    return SignInLink.objects.filter(
        token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def redeem_sign_in_link(token: str) -> Customer | None:
    """Use up a link and return its customer (created on first sign-in); None if invalid."""
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.filter(token_hash=hash_token(token)).first()
        if link is None:
            return None
        # A conditional update, so two clicks racing each other cannot both succeed.
        claimed = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
            used_at=now
        )
        if not claimed:
            return None
        if is_internal_address(link.email):
            return find_or_create_internal_customer(link.email)
        return find_or_create_customer_by_email(link.email)


def colleague_for_agent(agent: Agent) -> Customer:
    """Staff sign-in to the portal: the agent as an internal customer (created when new)."""
    return find_or_create_internal_customer(agent.email, name=agent.name)


def teams_for_internal_requests() -> list[Team]:
    return list(Team.objects.filter(accepts_internal_requests=True).order_by("name"))


def count_post(customer: Customer, *, ip: str | None) -> None:
    """Count one reply or new request; TooManyRequests past the customer's or the address's limit.

    Every attempt counts, accepted or not, so a flood of refused uploads is limited too.
    """
    ip_ok = ratelimit.hit(f"portal-post-ip:{ip or 'unknown'}", limit=POSTS_PER_IP, window_seconds=RATE_WINDOW)
    customer_ok = ratelimit.hit(
        f"portal-post-customer:{customer.pk}", limit=POSTS_PER_CUSTOMER, window_seconds=RATE_WINDOW
    )
    if not (ip_ok and customer_ok):
        raise TooManyRequests


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Please keep your message under {MAX_TEXT:,} characters.")
    return text


def start_request(
    customer: Customer,
    *,
    subject: str,
    text: str,
    attachments: Sequence[NewAttachment] = (),
    team: Team | None = None,
) -> Conversation:
    """A customer opens a new conversation from the portal (a few dozen an hour at most).

    A colleague (an internal customer) may address a team that accepts internal requests;
    the conversation is then on the internal channel.
    """
    text = _clean_text(text)
    if not text:
        raise ValidationError("Please describe what you need.")
    if team is not None and not (customer.is_internal and team.accepts_internal_requests):
        raise ValidationError("That team does not take requests here.")
    if not ratelimit.hit(
        f"portal-request:{customer.pk}", limit=REQUESTS_PER_CUSTOMER, window_seconds=RATE_WINDOW
    ):
        raise ValidationError("You have sent many requests in the last hour. Please try again later.")
    conversation, _message = open_conversation(
        customer=customer,
        subject=subject,
        channel=Conversation.Channel.INTERNAL if team is not None else Conversation.Channel.PORTAL,
        text=text,
        attachments=attachments,
        team=team,
    )
    return conversation


def reply_from_portal(
    conversation: Conversation,
    *,
    customer: Customer,
    text: str,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """A customer answers in one of their conversations. Caller has checked ownership."""
    text = _clean_text(text)
    if not text and not attachments:
        raise ValidationError("Please write a message.")
    return receive_message(
        conversation,
        customer=customer,
        text=text,
        channel=Conversation.Channel.PORTAL,
        attachments=attachments,
    )
