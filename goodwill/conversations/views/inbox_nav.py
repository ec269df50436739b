"""The inbox's list of views and its filter form, written in Python.

Through template nodes they cost ~6 ms of a ~30 ms page on the build machine (a `{% url %}` per
view, a condition per option); here they cost a fraction of that. The HTML is the template's,
byte for byte (`tests/test_views_inbox_nav.py` renders both), every value escaped as the
template escaped it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation

STATUSES = Conversation.Status.choices
PRIORITIES = Conversation.Priority.choices
CHANNELS = Conversation.Channel.choices
SAVE_FORM_SKIPS = ("sort", "after", "view", "saved", "partial")


def e(value: Any) -> str:
    """A value as `{{ value }}` writes it."""
    return str(conditional_escape("" if value is None else value))


def csrf_input(token: Any) -> str:
    """What `{% csrf_token %}` writes."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(token)}">'


def views_nav_html(
    *,
    views_with_counts: list[tuple[Any, str]],
    current_view: str,
    saved_views: list[Any],
    saved_view: Any,
    agent: Agent,
    counts_pending: bool,
    csrf_token: Any,
) -> SafeString:
    inbox = e(reverse("conversations:inbox"))
    parts = ['<nav class="inbox-views" aria-label="Views">\n    <ul>\n      ']
    for view, count in views_with_counts:
        current = ' aria-current="page"' if current_view == view.slug else ""
        label = f' aria-label="{e(count)} conversations"' if count else ""
        parts.append(
            f'\n        <li><a href="{inbox}?view={e(view.slug)}"{current}>\n'
            f'          <span>{e(view.label)}</span> <span class="count" id="view-count-{e(view.slug)}"{label}>'
            f"{e(count)}</span></a></li>\n      "
        )
    parts.append("\n    </ul>\n    ")
    if saved_views:
        parts.append('\n      <h2 class="views-heading">Saved views</h2>\n      <ul>\n        ')
        chosen = saved_view.pk if saved_view is not None else None
        for view in saved_views:
            current = ' aria-current="page"' if chosen == view.pk else ""
            shared = ' <span class="badge">shared</span>' if view.is_shared else ""
            parts.append(
                '\n          <li class="saved-view">\n'
                f'            <a href="{inbox}?saved={e(view.pk)}"{current}><span>{e(view.name)}</span>{shared}'
                f' <span class="count" id="saved-count-{e(view.pk)}"></span></a>\n            '
            )
            if view.owner_id == agent.pk or agent.is_admin:
                delete = e(reverse("conversations:delete_view", args=[view.pk]))
                parts.append(
                    f'\n              <form method="post" action="{delete}" data-confirm="Delete the view “{e(view.name)}”?">\n'
                    f"                {csrf_input(csrf_token)}"
                    f'<button type="submit" class="icon-button" aria-label="Delete view {e(view.name)}">×</button>\n'
                    "              </form>\n            "
                )
            parts.append("\n          </li>\n        ")
        parts.append("\n      </ul>\n    ")
    parts.append("\n    ")
    if counts_pending or saved_views:
        counts = e(reverse("conversations:view_counts"))
        parts.append(f'<span hx-get="{counts}" hx-trigger="load" hx-swap="none" hidden></span>')
    parts.append("\n  </nav>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _checkboxes(name: str, choices: Any, chosen: Any) -> str:
    chosen = chosen or ()
    return "".join(
        f'<label><input type="checkbox" name="{name}" value="{e(value)}"'
        f"{' checked' if value in chosen else ''}> {e(label)}</label>"
        for value, label in choices
    )


def _selected(flag: bool) -> str:
    return " selected" if flag else ""


def filter_form_html(
    *,
    show_filters: bool,
    current_filters: dict[str, Any],
    teams: list[Any],
    needs: list[Any],
    filter_form: Any,
    query: Any,
    sort: str,
    agent: Agent,
    csrf_token: Any,
) -> SafeString:
    """The "Filter and save a view" box. `query` is request.GET."""
    chosen = current_filters
    team = chosen.get("team", "")
    custom = chosen.get("custom") or {}
    teams_html = "".join(
        f'<option value="{e(t.pk)}"{_selected(team == str(t.pk))}>{e(t)}</option>' for t in teams
    )
    needs_html = "".join(
        f'<option value="{e(n.pk)}"{_selected(chosen.get("need", "") == n.pk)}>{e(n)}</option>' for n in needs
    )
    extras = "".join(
        f"\n            <label>{e(extra.label)}\n"
        f'              <select name="{e(extra.key)}"><option value="">Any</option>'
        + "".join(
            f'<option value="{e(value)}"{_selected(chosen.get(extra.key, "") == value)}>{e(label)}</option>'
            for value, label in extra.choices
        )
        + "</select>\n            </label>\n          "
        for extra in filter_form.extra_filters
    )
    customs = "".join(
        f'\n            <label>{e(field.label)} <input type="text" name="cf_{e(field.key)}" '
        f'value="{e(custom.get(field.key, "") or "")}"></label>\n          '
        for field in filter_form.custom_fields
    )
    kept = "".join(
        f'<input type="hidden" name="{e(key)}" value="{e(item)}">'
        for key, items in query.lists()
        if key not in SAVE_FORM_SKIPS
        for item in items
    )
    share = (
        '<label><input type="checkbox" name="is_shared"> Share with everyone</label>'
        if agent.is_admin
        else ""
    )
    html = f"""<details class="filters"{" open" if show_filters else ""}>
      <summary>Filter and save a view</summary>
      <form method="get" class="filter-form" id="filter-form">
        <fieldset><legend>Status</legend>
          {_checkboxes("status", STATUSES, chosen.get("status"))}
        </fieldset>
        <fieldset><legend>Priority</legend>
          {_checkboxes("priority", PRIORITIES, chosen.get("priority"))}
        </fieldset>
        <fieldset><legend>Channel</legend>
          {_checkboxes("channel", CHANNELS, chosen.get("channel"))}
        </fieldset>
        <div class="filter-grid">
          <label>Assignee
            <input type="text" name="assignee" list="agent-options" value="{e(chosen.get("assignee") or "")}" placeholder="me, nobody or an email" autocomplete="off">
          </label>
          <label>Team
            <select name="team">
              <option value="">Any team</option>
              <option value="mine"{_selected(team == "mine")}>My teams</option>
              <option value="none"{_selected(team == "none")}>No team</option>
              {teams_html}
            </select>
          </label>
          <label>Tag <input type="text" name="tag" value="{e(chosen.get("tag") or "")}"></label>
          <label>Need
            <select name="need">
              <option value="">Any need</option>
              {needs_html}
            </select>
          </label>
          <label>Created from <input type="date" name="created_after" value="{e(chosen.get("created_after") or "")}"></label>
          <label>Created until <input type="date" name="created_before" value="{e(chosen.get("created_before") or "")}"></label>
          {extras}
          {customs}
        </div>
        <button type="submit" class="button">Apply filters</button>
      </form>
      <form method="post" action="{e(reverse("conversations:save_view"))}" class="save-view-form">
        {csrf_input(csrf_token)}
        {kept}
        <input type="hidden" name="sort" value="{e(sort)}">
        <label>Name of the view <input type="text" name="name" required maxlength="80"></label>
        {share}
        <button type="submit" class="button">Save as view</button>
      </form>
    </details>"""  # noqa: S608 - HTML, not SQL
    return mark_safe(html)  # noqa: S308 - every value above is escaped
