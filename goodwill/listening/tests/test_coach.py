"""The tone coach in the composer: findings on reply drafts, one-click fixes, team switches."""

from __future__ import annotations

import html
import re

import pytest

from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.listening.coach import coach, fix_for
from goodwill.listening.engine import Suggestion
from goodwill.listening.policy import save_team_settings
from goodwill.listening.services import score_message

pytestmark = pytest.mark.django_db


def apply(draft: str, fix) -> str:  # type: ignore[no-untyped-def]
    """What workspace.js does with the button."""
    if fix.insert == "start":
        return fix.text + draft
    if fix.insert == "end":
        return draft + fix.text
    at = draft.index(fix.phrase)
    return draft[:at] + fix.text + draft[at + len(fix.phrase) :]


@pytest.mark.parametrize(
    ("draft", "suggestion", "expected"),
    [
        ("Thanks.", Suggestion(0, 0, "Hi Ann,\n\n"), "Hi Ann,\n\nThanks."),
        ("Thanks.", Suggestion(7, 7, " Bye."), "Thanks. Bye."),
        ("You failed to pay. You failed to pay.", Suggestion(19, 32, "It looks like we didn't get"),
         "You failed to pay. It looks like we didn't get pay."),
        ("Hi Ann, we fixed it.", Suggestion(8, 8, "Thanks for writing. "), "Hi Ann, Thanks for writing. we fixed it."),
    ],
)  # fmt: skip
def test_a_span_edit_becomes_a_button_that_makes_the_same_edit(draft, suggestion, expected):
    assert apply(draft, fix_for(draft, suggestion)) == suggestion.apply(draft) == expected


def test_a_blaming_draft_is_flagged_and_the_fix_replaces_the_phrase(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team)
    draft = (
        "Hi Carla,\n\nThanks for writing. You failed to enter the right address. I'll resend it by Friday."
    )
    findings = {f.code: f for f in coach(draft, conversation)}
    assert "blame" in findings
    fixed = apply(draft, findings["blame"].fix)
    assert "You failed to" not in fixed and "address" in fixed
    assert "blame" not in {f.code for f in coach(fixed, conversation)}


def test_empathy_follows_the_last_customer_message(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team, text="Hello, a quick question.")
    draft = "Hi Carla,\n\nThanks for writing. I've sent the replacement and I'll email you by Friday."
    assert "empathy_missing" not in {f.code for f in coach(draft, conversation)}
    angry = receive_message(
        conversation, customer=customer, text="This is the THIRD time. Still broken. I'm furious!"
    )
    score_message(angry)
    assert "empathy_missing" in {f.code for f in coach(draft, conversation)}


def test_teams_switch_checks_off_and_keep_their_jargon(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team)
    draft = "your RMA is ready"
    codes = {f.code for f in coach(draft, conversation)}
    assert {"greeting_missing", "thanks_missing"} <= codes and "jargon" not in codes
    save_team_settings(
        support_team,
        abuse_policy="",
        disabled_checks=["greeting_missing", "thanks_missing"],
        jargon="RMA = return number",
        repeat_abuse_count=2,
        repeat_abuse_days=30,
    )
    findings = {f.code: f for f in coach(draft, conversation)}
    assert "greeting_missing" not in findings and "thanks_missing" not in findings
    assert apply(draft, findings["jargon"].fix) == "your return number is ready"


def test_the_composer_shows_the_coach_for_replies_only(client, agent, customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team)
    client.force_login(agent)
    url = f"/c/{conversation.number}/draft-check"
    page = client.post(url, {"text": "That's not our problem", "kind": "reply"}).content.decode()
    assert 'aria-label="Tone coach"' in page
    replace = html.unescape(re.search(r'data-draft-replace="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert "not our problem" in replace
    assert (
        "Tone coach"
        not in client.post(url, {"text": "That's not our problem", "kind": "note"}).content.decode()
    )
