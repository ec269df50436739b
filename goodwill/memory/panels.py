"""What customer memory adds to the conversation page and the customer page (see conversations.panels)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, shared
from goodwill.customers.models import Customer
from goodwill.memory.duplicates import possible_duplicates
from goodwill.memory.models import Fact
from goodwill.memory.selectors import HINT_CANDIDATES, current_facts, facts_visible_to
from goodwill.memory.selectors import greeting_hint as hint_for
from goodwill.memory.timeline import customer_timeline as timeline_page

DRAFT_KEY = "memory.fact_draft"  # what was typed when saving a fact failed, shown again
SIDEBAR_FACTS = 8
PAGE_FACTS = 20  # the newest current facts on the customer page; older ones are in the timeline
PAGE_OUTDATED = 10
assert SIDEBAR_FACTS < HINT_CANDIDATES  # the sidebar's facts are the first of the shared read


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _current_facts(request: HttpRequest, agent: Agent, customer: Customer) -> list[Fact]:
    """Read once for the sidebar (the newest 9) and the greeting hint (the newest 40)."""
    return shared(request, ("memory.current_facts", customer.pk), lambda: current_facts(agent, customer))


def fact_form_context(request: HttpRequest, customer: Customer, *, next_url: str) -> dict[str, object]:
    return {
        "action": reverse("memory:add_fact", args=[customer.pk]),
        "categories": Fact.Category.choices,
        "next": next_url,
        "can_edit": allows(_agent(request), Action.EDIT_CUSTOMER),
        "draft": request.session.pop(DRAFT_KEY, None) if DRAFT_KEY in request.session else None,
    }


def facts_sidebar(request: HttpRequest, conversation: Conversation) -> Panel:
    """Beside the conversation: what the team knows about the customer, and a form to add to it."""
    agent = _agent(request)
    customer = conversation.customer
    facts = _current_facts(request, agent, customer)[: SIDEBAR_FACTS + 1]
    context = fact_form_context(
        request, customer, next_url=reverse("conversations:detail", args=[conversation.number])
    )
    context.update(
        facts=facts[:SIDEBAR_FACTS],
        more=len(facts) > SIDEBAR_FACTS,
        customer=customer,
        conversation=conversation,
        suggest_url=reverse("memory:suggest"),
    )
    return Panel("memory/_facts_sidebar.html", context)


def greeting_hint(request: HttpRequest, conversation: Conversation) -> Panel | None:
    """Above the composer: what to call the customer and what to remember when greeting them."""
    agent = _agent(request)
    hint = hint_for(
        agent,
        conversation.customer,
        today=timezone.localdate(timezone=agent.zone),
        current=_current_facts(request, agent, conversation.customer),
    )
    if not hint:
        return None
    return Panel("memory/_greeting_hint.html", {"hint": hint, "customer": conversation.customer})


def customer_timeline(request: HttpRequest, customer: Customer) -> Panel:
    entries, cursor = timeline_page(_agent(request), customer)
    return Panel(
        "memory/_timeline.html",
        {
            "entries": entries,
            "next_url": f"{reverse('memory:timeline', args=[customer.pk])}?cursor={cursor.encode()}"
            if cursor
            else "",
        },
    )


def customer_facts(request: HttpRequest, customer: Customer) -> Panel:
    agent = _agent(request)
    visible = facts_visible_to(agent, customer).order_by("-learned_at", "-id")
    current = list(visible.filter(outdated_at__isnull=True).select_related("learned_by")[: PAGE_FACTS + 1])
    outdated = list(visible.filter(outdated_at__isnull=False)[: PAGE_OUTDATED + 1])
    context = fact_form_context(
        request, customer, next_url=reverse("conversations:customer", args=[customer.pk])
    )
    labels = dict(Fact.Category.choices)
    groups: dict[str, list[Fact]] = {}
    for fact in current[:PAGE_FACTS]:
        groups.setdefault(labels[fact.category], []).append(fact)
    context.update(
        groups=sorted(groups.items()),
        more_current=len(current) > PAGE_FACTS,
        page_facts=PAGE_FACTS,
        outdated=outdated[:PAGE_OUTDATED],
        more_outdated=len(outdated) > PAGE_OUTDATED,
        customer=customer,
        suggest_url=reverse("memory:suggest"),
    )
    return Panel("memory/_customer_facts.html", context)


def customer_duplicates(request: HttpRequest, customer: Customer) -> Panel | None:
    if not allows(_agent(request), Action.EDIT_CUSTOMER):
        return None
    return Panel(
        "memory/_duplicates.html",
        {"suggestions": possible_duplicates(customer), "customer": customer},
    )


def customer_links(request: HttpRequest, customer: Customer) -> Panel | None:
    """The organisation page, when the customer belongs to one."""
    if customer.organisation_id is None:
        return None
    return Panel("memory/_customer_links.html", {"organisation": customer.organisation})
