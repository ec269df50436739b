"""The search page's hits, written in Python.

Through template nodes 15 hits cost ~7 ms of a ~35 ms search page on the build machine (a
`{% url %}`, two date filters and a dozen look-ups per hit); here they cost a fraction. The HTML
is the template's, byte for byte (`tests/test_hits_html.py` renders both), every value escaped
as the template escaped it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.conversations.templatetags.workspace import long_time
from goodwill.search.results import SearchHit, SearchPage, SearchResults


def e(value: Any) -> str:
    """A value as `{{ value }}` writes it."""
    return str(conditional_escape("" if value is None else value))


def iso(value: Any) -> str:
    """`{{ value|date:'c' }}`: ISO 8601 in the current time zone."""
    return timezone.localtime(value).isoformat() if value is not None else ""


def _detail(number: int) -> str:
    return e(reverse("conversations:detail", args=[number]))


def _customer_hit(hit: SearchHit) -> str:
    customer = hit.customer
    organisation = customer.organisation if customer is not None else None
    org = f'<span class="muted">{e(organisation)}</span>' if organisation else ""
    identities = ", ".join(e(identity.value) for identity in customer.identities.all()) if customer else ""
    latest = ""
    if hit.conversation:
        c = hit.conversation
        latest = (
            f'<span class="hit-meta">Latest conversation: <a href="{_detail(c.number)}">'
            f"#{e(c.number)} {e(c.subject)}</a></span>"
        )
    return (
        '\n          <li class="search-hit hit-customer">\n'
        f'            <strong class="hit-title">{e(hit.snippet)}</strong>\n'
        f"            {org}\n"
        f'            <span class="hit-meta">{identities}</span>\n'
        f"            {latest}\n"
        "          </li>\n          "
    )


def _conversation_hit(hit: SearchHit) -> str:
    c = hit.conversation
    assert c is not None
    return (
        '\n          <li class="search-hit hit-conversation">\n'
        f'            <a class="hit-title" href="{_detail(c.number)}">#{e(c.number)} {e(hit.snippet)}</a>\n'
        '            <span class="hit-meta">\n'
        f'              <span class="status status-{e(c.status)}">{e(c.get_status_display())}</span>\n'
        f"              {e(c.customer)} ·\n"
        f'              <time datetime="{iso(c.last_message_at)}">{e(long_time(c.last_message_at))}</time>\n'
        "            </span>\n"
        "          </li>\n          "
    )


def _message_hit(hit: SearchHit) -> str:
    c, m = hit.conversation, hit.message
    assert c is not None and m is not None
    agent = m.author_agent
    if m.kind == "note":
        who = f"Internal note by {e(agent.display_name) if agent else ''}"
    elif m.direction == "in":
        who = e(m.author_customer or c.customer)
    else:
        who = e((agent.display_name if agent else "") or "Goodwill")
    return (
        '\n          <li class="search-hit hit-message">\n'
        f'            <a class="hit-title" href="{_detail(c.number)}#m{e(m.pk)}">#{e(c.number)} {e(c.subject)}</a>\n'
        '            <span class="hit-meta">\n'
        f"              {who} ·\n"
        f'              <time datetime="{iso(m.created_at)}">{e(long_time(m.created_at))}</time>\n'
        "            </span>\n"
        f'            <p class="hit-snippet">{e(hit.snippet)}</p>\n'
        "          </li>\n          "
    )


def _hits(page: SearchPage | None, write: Any) -> SafeString:
    if page is None:
        return mark_safe("")
    return mark_safe("".join(write(hit) for hit in page.hits))  # noqa: S308 - escaped above


def hits_html(results: SearchResults | None) -> dict[str, SafeString]:
    """Each section's list items, for `{{ hits_html.<section> }}` in search/results.html."""
    if results is None:
        return {}
    return {
        "customers": _hits(results.customers, _customer_hit),
        "conversations": _hits(results.conversations, _conversation_hit),
        "messages": _hits(results.messages, _message_hit),
    }
