"""Prepared answers: offered first above the composer for the conversation's need, used in one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.conversations.models import ContactReason, Macro
from goodwill.conversations.services import update_properties
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.knowledge.models import Article, NeedSuggestion, PreparedAnswerUse
from goodwill.knowledge.tests.helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def returns(db):  # type: ignore[no-untyped-def]
    parent = ContactReason.objects.create(name="Orders")
    return ContactReason.objects.create(name="Return", parent=parent)


@pytest.fixture
def conversation(agent, returns):  # type: ignore[no-untyped-def]
    with subscribed({}):
        conversation = make_conversation(
            subject="Return", text="I want to send my shoes back.", assignee=agent
        )
        update_properties(conversation, {"need": returns}, by=agent)
    return conversation


@pytest.fixture
def prepared(agent, returns):  # type: ignore[no-untyped-def]
    macro = Macro.objects.create(
        name="Return label", text="Hi {customer_name}, here is your label.", need=returns
    )
    Macro.objects.create(name="Unrelated macro", text="Something else.")
    public = make_article(agent, title="How returns work", body="Free within 60 days.", needs=[returns])
    internal = make_article(
        agent,
        title="Returns: warehouse codes",
        body="Use code R-7.",
        needs=[returns.parent],
        visibility=Article.Visibility.INTERNAL,
    )
    make_article(
        agent, title="Draft returns", body="Not ready.", needs=[returns], status=Article.Status.DRAFT
    )
    make_article(agent, title="Gift cards", body="Other need.")
    return {"macro": macro, "public": public, "internal": internal}


def test_the_composer_offers_the_needs_prepared_answers(client, agent, conversation, prepared):
    client.force_login(agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    panel = html[html.index('id="kb-prepared-title"') : html.index('id="composer-form"')]
    assert "Prepared answers for Orders › Return" in panel
    assert "Return label" in panel and "Unrelated macro" not in panel
    assert "How returns work" in panel and "Returns: warehouse codes" in panel  # parent need's answers too
    assert "Draft returns" not in panel and "Gift cards" not in panel
    # One-click insertion: the filled-in macro, a link to the public article, its text.
    assert 'data-draft-with="&#10;&#10;Hi Carla' in panel or "here is your label" in panel
    public = prepared["public"]
    assert f"/help/a/{public.pk}/{public.slug}/" in panel
    assert 'aria-label="Insert link to How returns work"' in panel
    assert 'aria-label="Insert link to Returns: warehouse codes"' not in panel  # internal: text only
    assert 'aria-label="Insert text of Returns: warehouse codes"' in panel


def test_a_suggested_need_brings_its_answers_too(client, agent, returns, prepared):
    with subscribed({}):
        conversation = make_conversation(subject="Sending back", text="How do I return this?")
    NeedSuggestion.objects.create(conversation=conversation, need=returns, confidence=0.8, model_version=1)
    client.force_login(agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Prepared answers for Orders › Return" in html and "(suggested need)" in html


def test_no_need_no_panel(client, agent, prepared):
    with subscribed({}):
        conversation = make_conversation(subject="Hello", text="Just saying hi.")
    client.force_login(agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "kb-prepared-title" not in html


def test_using_a_prepared_answer_is_recorded(client, agent, conversation, prepared, returns):
    client.force_login(agent)
    url = reverse("knowledge:record_use", args=[conversation.number])
    assert client.post(url, {"how": "macro", "macro": prepared["macro"].pk}).status_code == 204
    assert client.post(url, {"how": "link", "article": prepared["public"].pk}).status_code == 204
    uses = list(
        PreparedAnswerUse.objects.order_by("id").values_list(
            "how", "macro_id", "article_id", "need_id", "agent_id"
        )
    )
    assert uses == [
        ("macro", prepared["macro"].pk, None, returns.pk, agent.pk),
        ("link", None, prepared["public"].pk, returns.pk, agent.pk),
    ]


def test_a_bad_use_is_refused_and_records_nothing(client, agent, conversation):
    client.force_login(agent)
    url = reverse("knowledge:record_use", args=[conversation.number])
    assert client.post(url, {"how": "link", "article": "999999"}).status_code == 400
    assert client.post(url, {"how": "dance", "macro": "1"}).status_code == 400
    assert not PreparedAnswerUse.objects.exists()


def test_uses_on_a_hidden_conversation_are_a_404(client, outsider, billing_team, agent):
    with subscribed({}):
        hidden = make_conversation(subject="Private", text="Billing only", team=billing_team)
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:record_use", args=[hidden.number]), {"how": "text", "article": "1"}
    )
    assert response.status_code == 404


def test_the_report_shows_uses_and_needs_without_answers(
    client, agent, conversation, prepared, returns, django_assert_max_num_queries
):
    lonely = ContactReason.objects.create(name="Warranty")
    client.force_login(agent)
    client.post(
        reverse("knowledge:record_use", args=[conversation.number]),
        {"how": "macro", "macro": prepared["macro"].pk},
    )
    for index in range(5):
        ContactReason.objects.create(name=f"Extra need {index}")
    with django_assert_max_num_queries(20):
        html = client.get(reverse("knowledge:report")).content.decode()
    without = html[html.index("kb-without-title") : html.index("kb-coverage-title")]
    assert str(lonely) in without and "Return" not in without
    used = html[html.index("kb-used-title") : html.index("kb-opens-title")]
    assert "Return label" in used


def test_a_parents_answers_cover_its_sub_needs_and_empty_groups_are_no_gap(
    client, agent, django_assert_max_num_queries
):
    account = ContactReason.objects.create(name="Account")
    ContactReason.objects.create(name="Password", parent=account)
    billing = ContactReason.objects.create(name="Billing")
    uncovered = ContactReason.objects.create(name="Invoice", parent=billing)
    make_article(agent, title="Account help", body="All about accounts.", needs=[account])
    client.force_login(agent)
    html = client.get(reverse("knowledge:report")).content.decode()
    without = html[html.index("kb-without-title") : html.index("kb-coverage-title")]
    assert str(uncovered) in without
    assert "Password" not in without  # served by the Account article
    assert "<li>Billing <span" not in without  # a group of sub-needs, no conversations of its own
    assert "(+1 for Account)" in html
