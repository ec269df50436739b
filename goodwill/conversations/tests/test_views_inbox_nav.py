"""The inbox's views list and filter box, now written in Python, show what the template showed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from goodwill.accounts.models import Team
from goodwill.conversations.forms import InboxFilterForm
from goodwill.conversations.models import ContactReason, Conversation, CustomField, SavedView
from goodwill.conversations.selectors import BUILT_IN_VIEWS
from goodwill.conversations.views.inbox_nav import filter_form_html, views_nav_html

pytestmark = pytest.mark.django_db

# The two parts of conversations/inbox.html before they moved to Python.
TEMPLATE_NAV = """{% load workspace %}<nav class="inbox-views" aria-label="Views">
    <ul>
      {% for view, count in views_with_counts %}
        <li><a href="{% url 'conversations:inbox' %}?view={{ view.slug }}"{% if current_view == view.slug %} aria-current="page"{% endif %}>
          <span>{{ view.label }}</span> <span class="count" id="view-count-{{ view.slug }}"{% if count %} aria-label="{{ count }} conversations"{% endif %}>{{ count }}</span></a></li>
      {% endfor %}
    </ul>
    {% if saved_views %}
      <h2 class="views-heading">Saved views</h2>
      <ul>
        {% for view in saved_views %}
          <li class="saved-view">
            <a href="{% url 'conversations:inbox' %}?saved={{ view.pk }}"{% if saved_view.pk == view.pk %} aria-current="page"{% endif %}><span>{{ view.name }}</span>{% if view.is_shared %} <span class="badge">shared</span>{% endif %} <span class="count" id="saved-count-{{ view.pk }}"></span></a>
            {% if view.owner_id == request.user.pk or request.user.is_admin %}
              <form method="post" action="{% url 'conversations:delete_view' view.pk %}" data-confirm="Delete the view “{{ view.name }}”?">
                {% csrf_token %}<button type="submit" class="icon-button" aria-label="Delete view {{ view.name }}">×</button>
              </form>
            {% endif %}
          </li>
        {% endfor %}
      </ul>
    {% endif %}
    {% if counts_pending or saved_views %}<span hx-get="{% url 'conversations:view_counts' %}" hx-trigger="load" hx-swap="none" hidden></span>{% endif %}
  </nav>"""
TEMPLATE_BOX = """{% load workspace %}<details class="filters"{% if show_filters %} open{% endif %}>
      <summary>Filter and save a view</summary>
      <form method="get" class="filter-form" id="filter-form">
        <fieldset><legend>Status</legend>
          {% for value, label in statuses %}<label><input type="checkbox" name="status" value="{{ value }}"{% if value in current_filters.status %} checked{% endif %}> {{ label }}</label>{% endfor %}
        </fieldset>
        <fieldset><legend>Priority</legend>
          {% for value, label in priorities %}<label><input type="checkbox" name="priority" value="{{ value }}"{% if value in current_filters.priority %} checked{% endif %}> {{ label }}</label>{% endfor %}
        </fieldset>
        <fieldset><legend>Channel</legend>
          {% for value, label in channels %}<label><input type="checkbox" name="channel" value="{{ value }}"{% if value in current_filters.channel %} checked{% endif %}> {{ label }}</label>{% endfor %}
        </fieldset>
        <div class="filter-grid">
          <label>Assignee
            <input type="text" name="assignee" list="agent-options" value="{{ current_filters.assignee|default:'' }}" placeholder="me, nobody or an email" autocomplete="off">
          </label>
          <label>Team
            <select name="team">
              <option value="">Any team</option>
              <option value="mine"{% if current_filters.team == "mine" %} selected{% endif %}>My teams</option>
              <option value="none"{% if current_filters.team == "none" %} selected{% endif %}>No team</option>
              {% for team in teams %}<option value="{{ team.pk }}"{% if current_filters.team == team.pk|stringformat:"s" %} selected{% endif %}>{{ team }}</option>{% endfor %}
            </select>
          </label>
          <label>Tag <input type="text" name="tag" value="{{ current_filters.tag|default:'' }}"></label>
          <label>Need
            <select name="need">
              <option value="">Any need</option>
              {% for need in needs %}<option value="{{ need.pk }}"{% if current_filters.need == need.pk %} selected{% endif %}>{{ need }}</option>{% endfor %}
            </select>
          </label>
          <label>Created from <input type="date" name="created_after" value="{{ current_filters.created_after|default:'' }}"></label>
          <label>Created until <input type="date" name="created_before" value="{{ current_filters.created_before|default:'' }}"></label>
          {% for extra in filter_form.extra_filters %}
            <label>{{ extra.label }}
              <select name="{{ extra.key }}"><option value="">Any</option>{% for value, label in extra.choices %}<option value="{{ value }}"{% if current_filters|get_item:extra.key == value %} selected{% endif %}>{{ label }}</option>{% endfor %}</select>
            </label>
          {% endfor %}
          {% for field in filter_form.custom_fields %}
            <label>{{ field.label }} <input type="text" name="cf_{{ field.key }}" value="{{ current_filters.custom|get_item:field.key|default:'' }}"></label>
          {% endfor %}
        </div>
        <button type="submit" class="button">Apply filters</button>
      </form>
      <form method="post" action="{% url 'conversations:save_view' %}" class="save-view-form">
        {% csrf_token %}
        {% for key, value in request.GET.lists %}{% if key != "sort" and key != "after" and key != "view" and key != "saved" and key != "partial" %}{% for item in value %}<input type="hidden" name="{{ key }}" value="{{ item }}">{% endfor %}{% endif %}{% endfor %}
        <input type="hidden" name="sort" value="{{ sort }}">
        <label>Name of the view <input type="text" name="name" required maxlength="80"></label>
        {% if request.user.is_admin %}<label><input type="checkbox" name="is_shared"> Share with everyone</label>{% endif %}
        <button type="submit" class="button">Save as view</button>
      </form>
    </details>"""


def both(agent, query: str, *, counts: dict[str, str] | None = None, saved: SavedView | None = None):
    request = RequestFactory().get("/" + query)
    request.user = agent
    form = InboxFilterForm(request.GET or None)
    form.is_valid()
    has_adhoc = bool(request.GET) and "view" not in request.GET and "saved" not in request.GET
    views = [(view, (counts or {}).get(view.slug, "")) for view in BUILT_IN_VIEWS.values()]
    saved_views = list(SavedView.objects.order_by("name", "id"))
    current = f"saved-{saved.pk}" if saved else request.GET.get("view", "mine")
    values = {
        "views_with_counts": views,
        "current_view": current,
        "saved_views": saved_views,
        "saved_view": saved,
        "counts_pending": counts is None,
        "show_filters": has_adhoc,
        "current_filters": form.as_filters() if has_adhoc else {},
        "teams": list(Team.objects.all()),
        "needs": list(ContactReason.objects.filter(is_active=True).select_related("parent")),
        "filter_form": form,
        "sort": "recent",
    }
    context = {
        **values,
        "request": request,
        "csrf_token": "TOKEN",
        "statuses": Conversation.Status.choices,
        "priorities": Conversation.Priority.choices,
        "channels": Conversation.Channel.choices,
    }
    before = Template(TEMPLATE_NAV).render(Context(context)) + Template(TEMPLATE_BOX).render(Context(context))
    nav = views_nav_html(
        views_with_counts=views,
        current_view=current,
        saved_views=saved_views,
        saved_view=saved,
        agent=agent,
        counts_pending=counts is None,
        csrf_token="TOKEN",
    )
    box = filter_form_html(
        show_filters=has_adhoc,
        current_filters=values["current_filters"],
        teams=values["teams"],
        needs=values["needs"],
        filter_form=form,
        query=request.GET,
        sort="recent",
        agent=agent,
        csrf_token="TOKEN",
    )
    return before, nav + box


@pytest.fixture
def workspace(agent, admin, support_team, billing_team):
    billing = ContactReason.objects.create(name="Billing & <invoices>")
    ContactReason.objects.create(name="Refund", parent=billing)
    ContactReason.objects.create(name="Retired", is_active=False)
    CustomField.objects.create(key="plan", label="Plan <tier>")
    CustomField.objects.create(key="vip", label="VIP", type=CustomField.Type.BOOLEAN)
    SavedView.objects.create(owner=agent, name='Mine "hot" <&>', filters={"tag": "vip"}, sort="recent")
    SavedView.objects.create(
        owner=admin, name="Shared", filters={"priority": [3]}, sort="recent", is_shared=True
    )
    return billing


@pytest.mark.parametrize("who", ["agent", "admin", "light_agent"])
def test_the_built_in_views_and_empty_filters_are_as_before(request, who, workspace):
    agent = request.getfixturevalue(who)
    for query, counts in [("", None), ("?view=open", {"open": "12", "mine": "0", "team": "999+"})]:
        before, after = both(agent, query, counts=counts)
        assert after == before


def test_saved_views_and_their_delete_buttons_are_as_before(agent, admin, workspace):
    shared = SavedView.objects.get(name="Shared")
    for who in (agent, admin):
        before, after = both(who, f"?saved={shared.pk}", saved=shared)
        assert after == before
        assert after.count("Delete view") == (1 if who == agent else 2)


def test_chosen_filters_show_checked_and_selected_as_before(agent, support_team, workspace):
    refund = ContactReason.objects.get(name="Refund")
    queries = [
        "?status=open&status=pending&priority=3&channel=email&assignee=me",
        f"?team={support_team.pk}&need={refund.pk}&tag=%3Cb%3E&created_after=2026-01-02",
        "?team=mine&cf_plan=gold%22&cf_vip=no&sort=oldest&mood=upset",
        "?team=none&assignee=nobody&created_before=2026-12-01&after=abc",
    ]
    for query in queries:
        before, after = both(agent, query)
        assert after == before, query
    assert " checked> Open" in both(agent, queries[0])[1]
