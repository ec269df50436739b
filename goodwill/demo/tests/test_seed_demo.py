"""`goodwill seed-demo`: deterministic, consistent, idempotent demo data."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import ContactReason, Conversation, CustomField, Message
from goodwill.core.models import Counter, Event
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.demo.generator import HISTORY_DAYS, seed_demo

ANCHOR = "2026-03-01T00:00:00+00:00"
ANCHOR_DT = datetime(2026, 3, 1, tzinfo=UTC)


def seed(conversations: int = 120, seed_value: int = 7) -> str:
    out = StringIO()
    call_command(
        "seed_demo", conversations=conversations, seed=seed_value, now=ANCHOR, batch_size=50, stdout=out
    )
    return out.getvalue()


# What each fingerprint covers: (model, ordering, fields). Agents, teams, tags and needs are
# created through the services, so their ids follow the database's sequences; they are
# compared by natural key instead.
FINGERPRINTS = {
    "agents": (Agent, "email", "email name role time_zone date_joined"),
    "teams": (Team, "slug", "slug name is_restricted"),
    "organisations": (Organisation, "id", "id name domains created_at"),
    "customers": (
        Customer,
        "id",
        "id name preferred_name organisation__name language time_zone last_contact_at created_at",
    ),
    "identities": (Identity, "id", "id customer_id kind value"),
    "conversations": (
        Conversation,
        "id",
        "id number subject status priority channel customer_id assignee__email team__slug need__name "
        "need_met custom_fields message_count last_message_at last_inbound_at first_response_at "
        "waiting_since solved_at closed_at created_at updated_at",
    ),
    "messages": (
        Message,
        "id",
        "id conversation_id direction kind channel author_agent__email author_customer_id text new_text "
        "message_id delivery created_at",
    ),
    "events": (Event, "id", "id kind actor__email customer_id conversation_id before after created_at"),
    "tags": (Conversation.tags.through, "conversation_id tag__name", "conversation_id tag__name"),
}


def digest() -> dict[str, str]:
    """A fingerprint of each seeded table, ids included."""
    emails = dict(Agent.objects.values_list("id", "email"))

    def by_email(value: object) -> object:
        # An assignment event names the assignee by id, which follows the agents' sequence.
        if isinstance(value, dict) and "assignee" in value:
            return {**value, "assignee": emails.get(value["assignee"])}
        return value

    fingerprints = {}
    for name, (model, ordering, fields) in FINGERPRINTS.items():
        rows = model.objects.order_by(*ordering.split()).values_list(*fields.split())
        part = [tuple(by_email(value) for value in row) for row in rows]
        fingerprints[name] = hashlib.sha256(repr(part).encode()).hexdigest()
    return fingerprints


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_and_anchor_give_identical_data():
    seed()
    first = digest()
    call_command("flush", interactive=False, verbosity=0)
    seed()
    assert digest() == first


@pytest.mark.django_db(transaction=True)
def test_generating_in_a_second_process_gives_the_same_data():
    seed_demo(conversations=120, seed=7, anchor=ANCHOR_DT, batch_size=50, parallel=False)
    first = digest()
    call_command("flush", interactive=False, verbosity=0)
    seed_demo(conversations=120, seed=7, anchor=ANCHOR_DT, batch_size=50, parallel=True)
    assert digest() == first


@pytest.mark.django_db(transaction=True)
def test_another_seed_gives_other_data():
    seed(seed_value=7)
    first = digest()
    call_command("flush", interactive=False, verbosity=0)
    seed(seed_value=8)
    assert digest() != first


@pytest.mark.django_db
def test_it_creates_the_demo_logins_teams_and_agents():
    seed()
    admin = Agent.objects.get(email="admin@example.com")
    agent = Agent.objects.get(email="agent@example.com")
    assert admin.is_admin and admin.check_password("goodwill-admin")
    assert agent.role == Agent.Role.AGENT and agent.check_password("goodwill-agent")
    assert Agent.objects.count() == 8
    assert Agent.objects.filter(role=Agent.Role.LIGHT).count() == 1
    # Only the two demo logins can sign in with a password.
    assert sorted(a.email for a in Agent.objects.all() if a.has_usable_password()) == [
        "admin@example.com",
        "agent@example.com",
    ]
    support = Team.objects.get(slug="support")
    billing = Team.objects.get(slug="billing")
    assert not support.is_restricted and billing.is_restricted
    assert agent.teams.get() == support
    assert billing.members.exclude(role=Agent.Role.ADMIN).exists()


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_says_so():
    seed()
    before = digest()
    output = seed()
    assert "already loaded" in output and "nothing changed" in output
    assert digest() == before


@pytest.mark.django_db
def test_it_loads_customers_organisations_needs_and_fields():
    seed()
    assert Customer.objects.count() == 300
    assert Organisation.objects.count() == 40
    assert Identity.objects.filter(kind="email").count() == 300
    assert Identity.objects.filter(kind="phone").exists()
    assert Customer.objects.exclude(preferred_name="").exists()
    assert not Identity.objects.exclude(
        Q(value__endswith=".example") | Q(value__endswith=".test") | Q(kind="phone")
    ).exists()
    assert ContactReason.objects.filter(parent__name="Billing", name="Refund").exists()
    assert ContactReason.objects.filter(parent__isnull=True, name="Complaint").exists()
    assert set(CustomField.objects.values_list("key", flat=True)) >= {"order_number", "plan"}


@pytest.mark.django_db
def test_conversations_span_every_channel_status_and_mood_within_the_history():
    seed(conversations=400)
    conversations = Conversation.objects.all()
    assert conversations.count() == 400
    assert set(conversations.values_list("channel", flat=True)) == {
        "email",
        "portal",
        "webform",
        "phone",
        "walk_in",
    }
    assert set(conversations.values_list("status", flat=True)) == set(Conversation.Status.values)
    oldest = conversations.aggregate(m=Min("created_at"))["m"]
    newest = Message.objects.aggregate(m=Max("created_at"))["m"]
    assert (ANCHOR_DT - oldest).days <= HISTORY_DAYS
    assert newest < ANCHOR_DT
    texts = list(Message.objects.filter(direction="in").values_list("text", flat=True))
    assert any("!!!" in text for text in texts)
    assert any("wrote:\n>" in text for text in texts)
    assert Message.objects.filter(kind="note").exists()
    assert Message.objects.filter(kind="phone").exists() and Message.objects.filter(kind="walk_in").exists()
    # Old conversations are mostly finished; solved ones say whether the need was met.
    assert conversations.filter(status__in=["solved", "closed"]).exclude(need_met="").exists()
    assert not conversations.filter(status__in=["solved", "closed"], solved_at__isnull=True).exists()


@pytest.mark.django_db
def test_denormalised_columns_agree_with_the_messages():
    seed(conversations=300)
    public = ~Q(messages__kind="note")
    rows = Conversation.objects.annotate(
        n=Count("messages"),
        last_public=Max("messages__created_at", filter=public),
        last_in=Max("messages__created_at", filter=Q(messages__direction="in")),
        first_out=Min("messages__created_at", filter=Q(messages__direction="out")),
        first=Min("messages__created_at"),
    )
    for row in rows:
        assert row.message_count == row.n
        assert row.last_message_at == row.last_public
        assert row.last_inbound_at == row.last_in
        assert row.first_response_at == row.first_out
        assert row.created_at == row.first
        last = row.messages.exclude(kind="note").order_by("-created_at", "-id").first()
        if row.waiting_since is not None:
            assert row.is_open and last.direction == "in"
        elif row.status in ("new", "open"):
            assert last.direction == "out"
    for customer in Customer.objects.filter(conversations__isnull=False).distinct()[:50]:
        latest = customer.conversations.aggregate(m=Max("last_inbound_at"))["m"]
        assert customer.last_contact_at == latest
    assert (
        Counter.objects.get(name="conversation").value == Conversation.objects.aggregate(m=Max("number"))["m"]
    )
    assert Event.objects.filter(kind="conversation.opened").count() == 300


@pytest.mark.django_db
def test_new_conversations_get_the_next_numbers_after_the_seed():
    from goodwill.conversations.services import open_conversation

    seed()
    conversation, _ = open_conversation(
        customer=Customer.objects.first(), subject="After the demo", channel="email", text="Hello"
    )
    assert conversation.number == 121


@pytest.mark.django_db
def test_the_demo_agent_has_a_fifty_message_conversation_to_open():
    output = seed(conversations=400)
    long = Conversation.objects.get(message_count__gte=50)
    assert f"#{long.number}" in output
    assert long.assignee.email == "agent@example.com"
    assert long.messages.count() == 50


@pytest.mark.django_db
def test_seeded_messages_are_found_by_search():
    from goodwill.search.selectors import search_for

    seed()
    agent = Agent.objects.get(email="agent@example.com")
    results = search_for(agent, "order", kind="messages")
    assert results.messages is not None and results.messages.hits


@pytest.mark.django_db
def test_the_demo_has_a_few_real_attachments():
    from goodwill.conversations.models import Attachment

    seed()
    photos = Attachment.objects.filter(content_type="image/png")
    assert photos.exists() and Attachment.objects.filter(content_type="text/plain").exists()
    photo = photos.first()
    with photo.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) == photo.size
    assert photo.message.conversation.need.name == "Damaged item"


@pytest.mark.django_db
def test_it_refuses_a_bad_anchor_or_size_without_touching_the_database():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now"):
        call_command("seed_demo", conversations=10, now="last tuesday", stdout=StringIO())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", conversations=0, stdout=StringIO())
    assert not Agent.objects.exists() and not Conversation.objects.exists()


@pytest.mark.django_db
def test_it_reports_what_it_loaded_and_how_to_sign_in():
    out = StringIO()
    call_command("seed_demo", "--conversations", "60", "--seed", "3", "--now", "2026-03-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Seeding 60 conversations (seed 3, anchored at 2026-03-01T00:00:00+00:00)…"
    summary = (
        f"Seeded 60 conversations, {Message.objects.count():,} messages, {Event.objects.count():,} events, "
        "300 customers in 40 organisations in "
    )
    assert lines[-3].startswith(summary) and lines[-3].endswith(" conversations/s).")
    long = Conversation.objects.get(message_count=50)
    assert lines[-2] == f"A 50-message conversation to look at: #{long.number}."
    assert lines[-1] == (
        "Sign in as admin@example.com / goodwill-admin (admin) or agent@example.com / goodwill-agent (agent)."
    )
