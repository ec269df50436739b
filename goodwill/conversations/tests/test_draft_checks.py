"""The draft-check seam: registered checks see the draft as typed; nothing shows without them."""

from __future__ import annotations

import pytest

from goodwill.conversations import drafts
from goodwill.conversations.drafts import register_draft_check, unregister_draft_check
from goodwill.conversations.panels import Panel
from goodwill.conversations.services import open_conversation

pytestmark = pytest.mark.django_db

SEEN: list[tuple[str, str]] = []


def shouting(request, conversation, text, kind):  # type: ignore[no-untyped-def]
    SEEN.append((text, kind))
    if text.isupper():
        return Panel("conversations/tests/_shouting.html", {"text": text})
    return None


@pytest.fixture
def conversation(customer, support_team):  # type: ignore[no-untyped-def]
    return open_conversation(
        customer=customer, subject="Help", text="My order is late", channel="email", team=support_team
    )[0]


@pytest.fixture
def check(settings, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "templates" / "conversations" / "tests"
    folder.mkdir(parents=True)
    (folder / "_shouting.html").write_text('<p class="finding">Shouting: {{ panel.text }}</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    SEEN.clear()
    registered = list(drafts._checks)  # feature apps' own checks (promises, tone) stay out of these tests
    drafts._checks.clear()
    register_draft_check(shouting)
    yield
    unregister_draft_check(shouting)
    drafts._checks[:] = registered


def test_the_page_asks_for_checks_only_when_some_are_registered(client, agent, conversation, check):
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert f'hx-post="/c/{conversation.number}/draft-check"' in page
    unregister_draft_check(shouting)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert "draft-check" not in page


def test_a_check_sees_the_text_and_kind(client, agent, conversation, check):
    client.force_login(agent)
    answer = client.post(f"/c/{conversation.number}/draft-check", {"text": "STOP WRITING", "kind": "note"})
    assert answer.status_code == 200
    assert '<p class="finding">Shouting: STOP WRITING</p>' in answer.content.decode()
    quiet = client.post(f"/c/{conversation.number}/draft-check", {"text": "Hello there", "kind": "bogus"})
    assert "finding" not in quiet.content.decode()
    assert SEEN == [("STOP WRITING", "note"), ("Hello there", "reply")]


def test_outsiders_cannot_probe_a_restricted_conversation(client, outsider, agent, conversation, check):
    client.force_login(outsider)
    from goodwill.accounts.models import Team

    conversation.team = Team.objects.create(name="Secret", slug="secret", is_restricted=True)
    conversation.save()
    answer = client.post(f"/c/{conversation.number}/draft-check", {"text": "HI", "kind": "reply"})
    assert answer.status_code == 404
    assert SEEN == []
