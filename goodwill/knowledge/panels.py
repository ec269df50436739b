"""What the knowledge base adds to the conversation page (registered in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.page_reads import usable_macros
from goodwill.conversations.panels import Panel, has_rows, shared
from goodwill.conversations.services import render_macro
from goodwill.knowledge import need as need_suggestion
from goodwill.knowledge.models import Article, NeedSuggestion
from goodwill.knowledge.selectors import need_suggestion_of, prepared_answers


def article_link(article: Article) -> str:
    return settings.BASE_URL + reverse("knowledge:article", args=[article.pk, article.slug])


def _suggestion(request: HttpRequest, conversation: Conversation) -> NeedSuggestion | None:
    """Read once for the sidebar's suggestion and the prepared answers above the composer."""
    return shared(
        request,
        ("knowledge.need_suggestion", conversation.pk),
        lambda: need_suggestion_of(conversation) if has_rows(request, conversation, NeedSuggestion) else None,
    )


def prepared_answers_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    """Above the composer: the macros and articles kept for this conversation's (suggested) need."""
    agent = request.user
    usable = shared(
        request,
        ("conversations.usable_macros", agent.pk),
        lambda: usable_macros(agent),  # type: ignore[arg-type]
    )
    answers = prepared_answers(agent, conversation, lambda c: _suggestion(request, c), usable)  # type: ignore[arg-type]
    if answers.need is None:
        return None
    macros = [
        {"macro": macro, "text": render_macro(macro, conversation=conversation, agent=agent)}  # type: ignore[arg-type]
        for macro in answers.macros
    ]
    articles = [
        {
            "article": article,
            "link": f"\n\n{article.title}: {article_link(article)}" if article.is_public else "",
            "text": f"\n\n{article.body.strip()}",
        }
        for article in answers.articles
    ]
    return Panel(
        "knowledge/_prepared_answers.html",
        {
            "answers": answers,
            "macros": macros,
            "articles": articles,
            "use_url": reverse("knowledge:record_use", args=[conversation.number]),
            "can_edit": allows(agent, Action.EDIT_KNOWLEDGE),  # type: ignore[arg-type]
        },
    )


def need_suggestion_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    """In the sidebar: the suggested need with its confidence and a one-click accept."""
    if conversation.need_id:
        return None
    suggestion = _suggestion(request, conversation)
    context: dict[str, object] = {
        "suggestion": suggestion,
        "can_accept": allows(request.user, Action.EDIT_PROPERTIES),  # type: ignore[arg-type]
        "accept_url": reverse("knowledge:accept_need", args=[conversation.number]),
    }
    if suggestion is None:
        state = need_suggestion.readiness()
        context["readiness"] = state
        context["unsure"] = state.model is not None
    return Panel("knowledge/_need_suggestion.html", context)
