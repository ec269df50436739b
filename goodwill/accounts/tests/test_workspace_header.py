"""The workspace header, now written in Python, shows what its template showed, for everyone."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from goodwill.accounts.models import Agent
from goodwill.accounts.notifications import notify, unread_count
from goodwill.accounts.templatetags.workspace_header import workspace_header

pytestmark = pytest.mark.django_db

# The header block of workspace.html before it moved to Python (`unread` came from a tag).
TEMPLATE_HEADER = """{% load static %}
<header class="ws-header">
  <a class="ws-brand" href="{% url 'conversations:inbox' %}">Goodwill</a>
  <nav class="ws-nav" aria-label="Inbox views">
    <a href="{% url 'conversations:inbox' %}?view=mine"{% if current_view == "mine" %} aria-current="page"{% endif %}>Mine</a>
    <a href="{% url 'conversations:inbox' %}?view=unassigned"{% if current_view == "unassigned" %} aria-current="page"{% endif %}>Unassigned</a>
    <a href="{% url 'conversations:inbox' %}?view=team"{% if current_view == "team" %} aria-current="page"{% endif %}>My teams</a>
    <a href="{% url 'conversations:inbox' %}?view=open"{% if current_view == "open" %} aria-current="page"{% endif %}>All open</a>
  </nav>
  <form class="ws-search" role="search" action="{% url 'search:results' %}" method="get">
    <label class="visually-hidden" for="global-search">Search conversations</label>
    <input type="search" name="q" id="global-search" placeholder="Search  ( / )" value="{{ request.GET.q|default:'' }}" autocomplete="off">
  </form>
  <button type="button" class="icon-button" data-show-shortcuts aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
  <div class="ws-me">
    <details class="ws-more">
      <summary>Pages</summary>
      <nav aria-label="More pages">
        <ul>
          <li><a href="{% url 'promises:ledger' %}">Promises</a></li>
          <li><a href="{% url 'expectations:measured' %}">Waiting times</a></li>
          <li><a href="{% url 'voice:grid' %}">Feedback grid</a></li>
          <li><a href="{% url 'voice:improvements' %}">Improvements</a></li>
          <li><a href="{% url 'voice:pulse_results' %}">NPS and CES</a></li>
          <li><a href="{% url 'voice:extra_mile_report' %}">Extra mile</a></li>
          <li><a href="{% url 'knowledge:articles' %}">Knowledge base</a></li>
          {% if not request.user.is_light %}<li><a href="{% url 'churn:watch' %}">Churn watch</a></li>{% endif %}
          {% if not request.user.is_light %}<li><a href="{% url 'insights:index' %}">Insights</a></li>{% endif %}
          <li><a href="{% url 'recovery:queue' %}">Recovery</a></li>
          {% if request.user.is_admin %}
          <li><a href="{% url 'expectations:policies' %}">Service levels</a></li>
          <li><a href="{% url 'expectations:schedules' %}">Business hours</a></li>
          <li><a href="{% url 'listening:settings' %}">Tone and abuse policy</a></li>
          <li><a href="{% url 'data:retention' %}">Retention</a></li>
          <li><a href="{% url 'voice:campaigns' %}">Customer interviews</a></li>
          <li><a href="{% url 'voice:survey_policies' %}">Surveys</a></li>
          {% endif %}
        </ul>
      </nav>
    </details>
    {% if not request.user.is_light %}<a href="{% url 'email:quarantine' %}">Quarantine</a>{% endif %}
    {% if request.user.is_admin %}<a href="{% url 'admin:index' %}">Admin</a>{% endif %}
    <a href="{% url 'accounts:notices' %}" class="ws-notices{% if unread %} has-unread{% endif %}">Notices{% if unread %} <span class="count" aria-label="{{ unread }} unread">{{ unread }}</span>{% endif %}</a>
    {% if request.user.is_admin %}<a href="{% url 'automation:rules' %}">Automation</a>{% endif %}<form method="post" action="{% url 'automation:away' %}">{% csrf_token %}<input type="hidden" name="away" value="{{ request.user.is_away|yesno:'0,1' }}"><input type="hidden" name="next" value="{{ request.get_full_path }}"><button type="submit" class="link-button">{{ request.user.is_away|yesno:"Away: I'm back,Set me away" }}</button></form>
    <a href="{% url 'accounts:settings' %}">Settings</a>
    <span class="ws-me-name">{{ request.user.display_name }}</span>
    <form method="post" action="{% url 'accounts:logout' %}">{% csrf_token %}<button type="submit" class="link-button">Sign out</button></form>
  </div>
</header>
<dialog id="shortcuts-dialog" class="shortcuts" aria-labelledby="shortcuts-title">
  <h2 id="shortcuts-title">Keyboard shortcuts</h2>
  <dl>
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>Next / previous conversation</dd>
    <dt><kbd>x</kbd></dt><dd>Select it for a bulk action</dd>
    <dt><kbd>o</kbd></dt><dd>Open the highlighted conversation</dd>
    <dt><kbd>r</kbd></dt><dd>Write a reply</dd>
    <dt><kbd>n</kbd></dt><dd>Write an internal note</dd>
    <dt><kbd>a</kbd></dt><dd>Assign</dd>
    <dt><kbd>s</kbd></dt><dd>Mark as solved</dd>
    <dt><kbd>/</kbd></dt><dd>Search</dd>
    <dt><kbd>?</kbd></dt><dd>Show these shortcuts</dd>
    <dt><kbd>Esc</kbd></dt><dd>Leave a text field</dd>
  </dl>
  <form method="dialog"><button type="submit" class="button">Close</button></form>
</dialog>
"""


def both(agent: Agent, path: str, current_view: str = "") -> tuple[str, str]:
    request = RequestFactory().get(path)
    request.user = agent
    values = {"request": request, "current_view": current_view, "csrf_token": "TOKEN"}
    before = Template(TEMPLATE_HEADER).render(Context({**values, "unread": unread_count(agent)}))
    return before, str(workspace_header(Context(values)))


@pytest.mark.parametrize("who", ["agent", "admin", "light_agent"])
def test_it_writes_what_the_template_wrote(request, who):
    agent = request.getfixturevalue(who)
    for path, view in [
        ("/", "mine"),
        ("/?view=open", "open"),
        ("/search/?q=%22a%26b%22+<x>", ""),
        ("/c/1/", ""),
    ]:
        before, after = both(agent, path, view)
        assert after == before


def test_unread_notices_and_away_show_as_before(agent, teammate):
    notify([agent], key="a", title="Promise due")
    notify([agent], key="b", title="Another")
    notify([teammate], key="a", title="Not mine")
    agent.is_away = True
    agent.save(update_fields=["is_away"])
    before, after = both(agent, "/?view=team", "team")
    assert after == before
    assert 'class="ws-notices has-unread"' in after and 'aria-label="2 unread"' in after
    assert "Away: I&#x27;m back" in after and 'name="away" value="0"' in after
    assert '<a href="/?view=team" aria-current="page">My teams</a>' in after


def test_light_agents_miss_the_pages_they_may_not_open(light_agent, admin):
    _before, light = both(light_agent, "/")
    _before, full = both(admin, "/")
    for path in ("/churn/", "/insights/", "/admin/"):
        assert f'href="{path}"' not in light and f'href="{path}"' in full
