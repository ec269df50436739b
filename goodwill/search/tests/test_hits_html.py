"""The search hits, now written in Python, show what the template's loops showed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from goodwill.conversations.services import add_note, add_reply
from goodwill.conversations.tests.factories import make_conversation, make_customer
from goodwill.customers.models import Organisation
from goodwill.search.hits_html import hits_html
from goodwill.search.query import parse_query
from goodwill.search.results import SearchHit, SearchPage, SearchResults

pytestmark = pytest.mark.django_db

# The three loops of search/results.html before they moved to Python.
LOOPS = {
    "customers": """{% load workspace %}{% for hit in page.hits %}
          <li class="search-hit hit-customer">
            <strong class="hit-title">{{ hit.snippet }}</strong>
            {% if hit.customer.organisation %}<span class="muted">{{ hit.customer.organisation }}</span>{% endif %}
            <span class="hit-meta">{% for identity in hit.customer.identities.all %}{{ identity.value }}{% if not forloop.last %}, {% endif %}{% endfor %}</span>
            {% if hit.conversation %}<span class="hit-meta">Latest conversation: <a href="{% url 'conversations:detail' hit.conversation.number %}">#{{ hit.conversation.number }} {{ hit.conversation.subject }}</a></span>{% endif %}
          </li>
          {% endfor %}""",
    "conversations": """{% load workspace %}{% for hit in page.hits %}
          <li class="search-hit hit-conversation">
            <a class="hit-title" href="{% url 'conversations:detail' hit.conversation.number %}">#{{ hit.conversation.number }} {{ hit.snippet }}</a>
            <span class="hit-meta">
              <span class="status status-{{ hit.conversation.status }}">{{ hit.conversation.get_status_display }}</span>
              {{ hit.conversation.customer }} ·
              <time datetime="{{ hit.conversation.last_message_at|date:'c' }}">{{ hit.conversation.last_message_at|long_time }}</time>
            </span>
          </li>
          {% endfor %}""",
    "messages": """{% load workspace %}{% for hit in page.hits %}
          <li class="search-hit hit-message">
            <a class="hit-title" href="{% url 'conversations:detail' hit.conversation.number %}#m{{ hit.message.pk }}">#{{ hit.conversation.number }} {{ hit.conversation.subject }}</a>
            <span class="hit-meta">
              {% if hit.message.kind == "note" %}Internal note by {{ hit.message.author_agent.display_name }}{% elif hit.message.direction == "in" %}{{ hit.message.author_customer|default:hit.conversation.customer }}{% else %}{{ hit.message.author_agent.display_name|default:"Goodwill" }}{% endif %} ·
              <time datetime="{{ hit.message.created_at|date:'c' }}">{{ hit.message.created_at|long_time }}</time>
            </span>
            <p class="hit-snippet">{{ hit.snippet }}</p>
          </li>
          {% endfor %}""",
}


def test_every_kind_of_hit_is_written_as_before(agent, settings):
    settings.USE_TZ = True
    customer = make_customer(name="Ann <Lee> & co")
    customer.organisation = Organisation.objects.create(name="Acme & <Sons>")
    customer.save()
    plain = make_customer(name="")
    conversation = make_conversation(customer=customer, subject='Parcel "lost" <again>')
    other = make_conversation(customer=plain, subject="Refund")
    inbound = conversation.messages.first()
    reply = add_reply(conversation, by=agent, text="On its way")
    note = add_note(conversation, by=agent, text="Check the depot")
    system = add_note(other, by=None, text="Merged")
    snippet = mark_safe("a <mark>word</mark> &amp; more")
    results = SearchResults(query=parse_query("word"), order="relevance")
    results.pages["customers"] = SearchPage(
        "customers",
        [
            SearchHit("customer", customer.pk, snippet, customer=customer, conversation=conversation),
            SearchHit("customer", plain.pk, snippet, customer=plain),
        ],
    )
    results.pages["conversations"] = SearchPage(
        "conversations",
        [SearchHit("conversation", c.pk, snippet, conversation=c) for c in (conversation, other)],
    )
    results.pages["messages"] = SearchPage(
        "messages",
        [
            SearchHit("message", m.pk, snippet, conversation=m.conversation, message=m)
            for m in (inbound, reply, note, system)
        ],
    )
    written = hits_html(results)
    for section, loop in LOOPS.items():
        before = Template(loop).render(Context({"page": results.pages[section]}))
        assert written[section] == before, section
    assert "Internal note by" in written["messages"] and "On its way" not in written["messages"]
    assert "Acme &amp; &lt;Sons&gt;" in written["customers"]


def test_no_search_writes_no_hits():
    assert hits_html(None) == {}
