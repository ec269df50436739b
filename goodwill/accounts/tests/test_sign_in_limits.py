"""Who the sign-in limits stop, and who they must not: per account+address, per address, behind proxies."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client
from django.urls import reverse

from goodwill.accounts.models import Agent

LOGIN = reverse("accounts:login")


def sign_in(
    email: str, password: str, *, ip: str = "198.51.100.1", client: Client | None = None, **extra: str
) -> int:
    response = (client or Client()).post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )
    return response.status_code


@pytest.fixture
def low_limits(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_IP_RATE_LIMIT = 5
    return settings


def test_guesses_at_one_account_from_one_address_are_refused_even_with_the_right_password(
    agent: Agent, low_limits: object
) -> None:
    for _ in range(3):
        assert sign_in("sam@example.com", "wrong") == 200

    assert sign_in("sam@example.com", "pw-sam-123") == 429


def test_strangers_guessing_from_elsewhere_do_not_lock_the_owner_out(
    agent: Agent, low_limits: object
) -> None:
    for n in range(20):
        sign_in("sam@example.com", "wrong", ip=f"203.0.113.{n + 1}")

    assert sign_in("sam@example.com", "pw-sam-123", ip="198.51.100.77") == 302


def test_a_successful_sign_in_does_not_clear_the_count_of_guesses_from_that_address(
    agent: Agent, low_limits: object
) -> None:
    # An attacker who owns Sam's account guesses other people's passwords, signing in as Sam in between.
    statuses = []
    for n in range(6):
        statuses.append(sign_in(f"victim-{n}@example.com", "guess"))
        sign_in("sam@example.com", "pw-sam-123")

    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_one_address_trying_many_accounts_is_refused(agent: Agent, low_limits: object) -> None:
    for n in range(5):
        assert sign_in(f"someone-{n}@example.com", "guess") == 200

    assert sign_in("sam@example.com", "pw-sam-123") == 429
    assert sign_in("sam@example.com", "pw-sam-123", ip="198.51.100.2") == 302


def test_the_admin_sign_in_is_the_limited_one(admin: Agent, low_limits: object) -> None:
    """The admin's own form is never served: it would answer a locked-out admin with 200."""
    admin_login = reverse("admin:login")
    for _ in range(3):
        sign_in("ada@example.com", "wrong", ip="198.51.100.1")

    posted = Client().post(
        admin_login, {"username": "ada@example.com", "password": "pw-ada-123"}, REMOTE_ADDR="198.51.100.1"
    )

    assert posted.status_code == 302 and posted["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in posted.client.session
    assert sign_in("ada@example.com", "pw-ada-123", ip="198.51.100.1") == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(agent: Agent, low_limits) -> None:  # type: ignore[no-untyped-def]
    low_limits.TRUSTED_PROXIES = [ipaddress.ip_network("10.8.0.0/24")]
    for _ in range(5):
        sign_in("sam@example.com", "wrong", ip="10.8.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert sign_in("sam@example.com", "pw-sam-123", ip="10.8.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
    assert sign_in("sam@example.com", "pw-sam-123", ip="10.8.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4") == 302


def test_an_untrusted_peer_cannot_dodge_the_limit_with_x_forwarded_for(
    agent: Agent, low_limits: object
) -> None:
    for n in range(5):
        sign_in("sam@example.com", "wrong", ip="203.0.113.50", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert (
        sign_in("sam@example.com", "pw-sam-123", ip="203.0.113.50", HTTP_X_FORWARDED_FOR="192.0.2.200") == 429
    )


def test_a_forged_leftmost_hop_behind_a_trusted_proxy_is_ignored(agent: Agent, low_limits) -> None:  # type: ignore[no-untyped-def]
    low_limits.TRUSTED_PROXIES = [ipaddress.ip_network("10.8.0.2")]
    for n in range(5):
        # The proxy appends the real client (203.0.113.9); the client wrote the hop before it.
        sign_in("sam@example.com", "wrong", ip="10.8.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")

    assert sign_in("sam@example.com", "pw-sam-123", ip="10.8.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
