"""Signing in and out, resetting a forgotten password, and the sign-in rate limit."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from goodwill.accounts.models import Agent
from goodwill.accounts.tests.tasks import run_queued_tasks

LOGIN = reverse("accounts:login")


def sign_in(client: Client, email: str, password: str, **extra: str) -> object:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


@pytest.mark.django_db
def test_the_sign_in_page_labels_every_field(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Sign in</button>" in html


def test_an_agent_signs_in_and_reaches_the_workspace(client: Client, agent: Agent) -> None:
    response = sign_in(client, "sam@example.com", "pw-sam-123")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_ignores_the_case_of_the_address(client: Client, agent: Agent) -> None:
    response = sign_in(client, "Sam@Example.com", "pw-sam-123")

    assert response.status_code == 302


def test_a_wrong_password_shows_an_error_and_no_session(client: Client, agent: Agent) -> None:
    response = sign_in(client, "sam@example.com", "wrong")

    assert response.status_code == 200
    assert "correct email and password" in response.content.decode().lower().replace("\n", " ")
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_asked_for(client: Client, agent: Agent) -> None:
    response = client.post(LOGIN, {"username": "sam@example.com", "password": "pw-sam-123", "next": "/c/7/"})

    assert response["Location"] == "/c/7/"


def test_sign_in_never_redirects_to_another_site(client: Client, agent: Agent) -> None:
    response = client.post(
        LOGIN, {"username": "sam@example.com", "password": "pw-sam-123", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_an_inactive_agent_cannot_sign_in(client: Client, agent: Agent) -> None:
    Agent.objects.filter(pk=agent.pk).update(is_active=False)

    response = sign_in(client, "sam@example.com", "pw-sam-123")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client: Client, agent: Agent) -> None:
    client.force_login(agent)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get("/").status_code == 302


def test_a_forgotten_password_is_reset_through_the_emailed_link(client: Client, agent: Agent) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "sam@example.com"})
    assert response.status_code == 302
    run_queued_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.com"]
    assert "Hello Sam Agent" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body)
    assert link is not None

    # The link redirects once to a URL without the token, which then shows the form.
    landing = client.get(link.group(1), follow=True)
    assert landing.status_code == 200
    form_url = landing.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "a-brand-new-secret-9", "new_password2": "a-brand-new-secret-9"}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(Client(), "sam@example.com", "pw-sam-123").status_code == 200
    assert sign_in(Client(), "sam@example.com", "a-brand-new-secret-9").status_code == 302


def test_a_used_reset_link_does_not_work_twice(client: Client, agent: Agent) -> None:
    client.post(reverse("accounts:password_reset"), {"email": "sam@example.com"})
    run_queued_tasks()
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    landing = client.get(path, follow=True)
    client.post(
        landing.redirect_chain[-1][0],
        {"new_password1": "first-new-pass-77", "new_password2": "first-new-pass-77"},
    )

    again = Client().get(path, follow=True)

    assert "new_password1" not in again.content.decode()
    assert sign_in(Client(), "sam@example.com", "first-new-pass-77").status_code == 302


def test_password_reset_does_not_reveal_unknown_addresses(client: Client, agent: Agent) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "stranger@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    run_queued_tasks()
    assert mail.outbox == []


def test_too_many_failures_block_sign_in_with_429(client: Client, agent: Agent, settings: object) -> None:
    settings.LOGIN_RATE_LIMIT = 3  # type: ignore[attr-defined]
    for _ in range(3):
        assert sign_in(client, "sam@example.com", "wrong").status_code == 200

    blocked = sign_in(client, "sam@example.com", "pw-sam-123")

    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_agents_can_still_sign_in_from_elsewhere(
    client: Client, agent: Agent, teammate: Agent, settings: object
) -> None:
    settings.LOGIN_RATE_LIMIT = 3  # type: ignore[attr-defined]
    for _ in range(3):
        sign_in(client, "sam@example.com", "wrong", REMOTE_ADDR="10.0.0.1")

    response = sign_in(Client(), "tess@example.com", "pw-tess-123", REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(
    client: Client, agent: Agent, settings: object
) -> None:
    settings.LOGIN_RATE_LIMIT = 3  # type: ignore[attr-defined]
    sign_in(client, "sam@example.com", "wrong")
    sign_in(client, "sam@example.com", "wrong")
    assert sign_in(client, "sam@example.com", "pw-sam-123").status_code == 302
    client.post(reverse("accounts:logout"))

    for _ in range(2):
        assert sign_in(client, "sam@example.com", "wrong").status_code == 200

    assert sign_in(client, "sam@example.com", "pw-sam-123").status_code == 302
