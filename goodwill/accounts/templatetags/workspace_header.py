"""`{% workspace_header %}`: the header every agent page shares, written in Python.

Through template nodes it cost ~3 ms a page on the build machine: 37 `{% url %}` look-ups, a
dozen conditions on the agent and the unread-notices count. The addresses do not change while
a process runs, so they are reversed once (per script prefix); what depends on the agent and
the request is filled in here, escaped like the template escaped it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.accounts.notifications import unread_count

register = template.Library()

INBOX_VIEWS = (("mine", "Mine"), ("unassigned", "Unassigned"), ("team", "My teams"), ("open", "All open"))
# The "Pages" menu: (URL name, label, who sees it: "all", "full" (not light agents) or "admin").
PAGES = (
    ("promises:ledger", "Promises", "all"),
    ("expectations:measured", "Waiting times", "all"),
    ("voice:grid", "Feedback grid", "all"),
    ("voice:improvements", "Improvements", "all"),
    ("voice:pulse_results", "NPS and CES", "all"),
    ("voice:extra_mile_report", "Extra mile", "all"),
    ("knowledge:articles", "Knowledge base", "all"),
    ("churn:watch", "Churn watch", "full"),
    ("insights:index", "Insights", "full"),
    ("recovery:queue", "Recovery", "all"),
    ("expectations:policies", "Service levels", "admin"),
    ("expectations:schedules", "Business hours", "admin"),
    ("listening:settings", "Tone and abuse policy", "admin"),
    ("data:retention", "Retention", "admin"),
    ("voice:campaigns", "Customer interviews", "admin"),
    ("voice:survey_policies", "Surveys", "admin"),
)
OTHER_URLS = (
    "conversations:inbox",
    "search:results",
    "email:quarantine",
    "admin:index",
    "accounts:notices",
    "automation:rules",
    "automation:away",
    "accounts:settings",
    "accounts:logout",
)
CURRENT = ' aria-current="page"'
SHORTCUTS_DIALOG = """<dialog id="shortcuts-dialog" class="shortcuts" aria-labelledby="shortcuts-title">
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


@cache
def _urls(prefix: str) -> dict[str, str]:
    """Every address the header links to, escaped, for this script prefix."""
    names = [name for name, _label, _who in PAGES] + list(OTHER_URLS)
    return {name: escape(reverse(name)) for name in names}


def _pages_menu(urls: dict[str, str], *, light: bool, admin: bool) -> str:
    lines = []
    for name, label, who in PAGES:
        if who == "admin" and not admin:
            continue
        if who == "full" and light:
            lines.append("          ")  # the template's empty line where the item was left out
            continue
        if who == "admin" and name == PAGES[10][0]:
            lines.append("          ")  # the template's {% if request.user.is_admin %} line
        lines.append(f'          <li><a href="{urls[name]}">{label}</a></li>')
    lines.append("          ")  # the template's {% endif %} line of the admins' pages
    return "\n".join(lines)


@register.simple_tag(takes_context=True)
def workspace_header(context: Any) -> SafeString:
    request = context["request"]
    user = request.user
    signed_in = bool(user.is_authenticated)
    urls = _urls(get_script_prefix())
    inbox = urls["conversations:inbox"]
    current = context.get("current_view")
    light = signed_in and bool(user.is_light)
    admin = signed_in and bool(user.is_admin)
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
        if token and token != "NOTPROVIDED"
        else ""
    )
    views = "\n".join(
        f'    <a href="{inbox}?view={slug}"{CURRENT if current == slug else ""}>{label}</a>'
        for slug, label in INBOX_VIEWS
    )
    unread = unread_count(user) if signed_in else 0
    count = f' <span class="count" aria-label="{unread} unread">{unread}</span>' if unread else ""
    is_away = signed_in and user.is_away
    away = "0" if is_away else "1"
    away_label = "Away: I&#x27;m back" if is_away else "Set me away"
    html = f"""
<header class="ws-header">
  <a class="ws-brand" href="{inbox}">Goodwill</a>
  <nav class="ws-nav" aria-label="Inbox views">
{views}
  </nav>
  <form class="ws-search" role="search" action="{urls["search:results"]}" method="get">
    <label class="visually-hidden" for="global-search">Search conversations</label>
    <input type="search" name="q" id="global-search" placeholder="Search  ( / )" value="{escape(request.GET.get("q") or "")}" autocomplete="off">
  </form>
  <button type="button" class="icon-button" data-show-shortcuts aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
  <div class="ws-me">
    <details class="ws-more">
      <summary>Pages</summary>
      <nav aria-label="More pages">
        <ul>
{_pages_menu(urls, light=light, admin=admin)}
        </ul>
      </nav>
    </details>
    {"" if light else f'<a href="{urls["email:quarantine"]}">Quarantine</a>'}
    {f'<a href="{urls["admin:index"]}">Admin</a>' if admin else ""}
    <a href="{urls["accounts:notices"]}" class="ws-notices{" has-unread" if unread else ""}">Notices{count}</a>
    {f'<a href="{urls["automation:rules"]}">Automation</a>' if admin else ""}<form method="post" action="{urls["automation:away"]}">{csrf}<input type="hidden" name="away" value="{away}"><input type="hidden" name="next" value="{escape(request.get_full_path())}"><button type="submit" class="link-button">{away_label}</button></form>
    <a href="{urls["accounts:settings"]}">Settings</a>
    <span class="ws-me-name">{escape(user.display_name) if signed_in else ""}</span>
    <form method="post" action="{urls["accounts:logout"]}">{csrf}<button type="submit" class="link-button">Sign out</button></form>
  </div>
</header>
{SHORTCUTS_DIALOG}"""
    return mark_safe(html)  # noqa: S308 - every value above is escaped or one of ours
