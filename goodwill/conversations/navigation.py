"""What the inbox's navigation and filter box list: saved views, teams, needs, custom fields.

Every inbox page reads them, each through the ORM at 0.3 to 1 ms of CPU for a few rows; here
their SQL is built once per process (core.prepared), so they stay as fresh as before (read on
every page, nothing cached) for a fraction of the cost.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import ContactReason, CustomField, SavedView
from goodwill.core.prepared import PreparedQuery


class SavedViewLink(NamedTuple):
    pk: int
    name: str
    owner_id: int
    is_shared: bool


class Choice(NamedTuple):
    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


_SAVED_VIEWS = PreparedQuery(
    lambda agent_id: (
        SavedView.objects.filter(Q(owner_id=agent_id) | Q(is_shared=True))
        .order_by("name", "id")
        .values_list("pk", "name", "owner_id", "is_shared")
    )
)
_TEAMS = PreparedQuery(lambda: Team.objects.values_list("pk", "name"))
_NEEDS = PreparedQuery(
    lambda: ContactReason.objects.filter(is_active=True).values_list("pk", "name", "parent__name")
)
_CUSTOM_FIELDS = PreparedQuery(
    lambda: CustomField.objects.filter(is_active=True).values_list(
        "pk", "key", "label", "type", "choices", "position"
    )
)


def saved_view_links(agent: Agent) -> list[SavedViewLink]:
    """The agent's own and the shared saved views, by name (as `selectors.saved_views_for`)."""
    return [SavedViewLink(*row) for row in _SAVED_VIEWS.rows(agent.pk)]


def team_choices() -> list[Choice]:
    return [Choice(pk, name) for pk, name in _TEAMS.rows()]


def need_choices() -> list[Choice]:
    """Active needs, labelled and ordered as ContactReason labels and orders them."""
    return [Choice(pk, ContactReason.label_for(name, parent)) for pk, name, parent in _NEEDS.rows()]


def active_custom_fields() -> list[CustomField]:
    return [
        CustomField(
            pk=pk, key=key, label=label, type=kind, choices=choices, is_active=True, position=position
        )
        for pk, key, label, kind, choices, position in _CUSTOM_FIELDS.rows()
    ]
