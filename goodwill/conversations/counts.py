"""How many conversations each inbox view holds: capped counts, cached briefly per agent.

Split from selectors.py (which builds the views' queries); the inbox asks for these after the
page has loaded, so counting never slows it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation, SavedView
from goodwill.conversations.selectors import BUILT_IN_VIEWS, _tag_terms_for_sort, filters_q
from goodwill.conversations.visibility import conversations_visible_to

COUNT_CAP = 1000
COUNTS_CACHE_SECONDS = 30


def capped_count(queryset: QuerySet[Conversation]) -> int:
    """COUNT over at most COUNT_CAP rows: cheap whatever the table size."""
    return queryset[:COUNT_CAP].count()


def format_count(count: int) -> str:
    return f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else str(count)


def cached_view_counts(agent: Agent) -> dict[str, str] | None:
    """The built-in views' counts if they were counted in the last few seconds, else None."""
    counts: dict[str, str] | None = cache.get(f"goodwill:inbox-counts:{agent.pk}")
    return counts


def view_counts(agent: Agent) -> dict[str, str]:
    """Conversations in each built-in view, capped and cached briefly per agent."""
    key = f"goodwill:inbox-counts:{agent.pk}"
    counts = cache.get(key)
    if counts is None:
        visible = conversations_visible_to(agent)
        counts = {
            slug: format_count(capped_count(visible.filter(view.where(agent))))
            for slug, view in BUILT_IN_VIEWS.items()
        }
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def forget_view_counts(agent: Agent) -> None:
    cache.delete_many([f"goodwill:inbox-counts:{agent.pk}", f"goodwill:saved-view-counts:{agent.pk}"])


def saved_view_counts(agent: Agent, views: list[SavedView]) -> dict[int, str]:
    """Conversations in each of the agent's saved views, capped and cached briefly per agent.

    A saved view can filter on anything (a tag, a custom field), which no index may cover;
    the inbox asks for these counts after it has loaded, so they never slow the page."""
    key = f"goodwill:saved-view-counts:{agent.pk}"
    counts: dict[int, str] = cache.get(key) or {}
    missing = [view for view in views if view.pk not in counts]
    if missing:
        visible = conversations_visible_to(agent)
        for view in missing:
            where = _tag_terms_for_sort(filters_q(view.filters, agent), None)
            counts[view.pk] = format_count(capped_count(visible.filter(where)))
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return {view.pk: counts[view.pk] for view in views}
