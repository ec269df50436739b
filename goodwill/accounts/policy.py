"""Who may do what: the one permission policy every service and view asks.

Roles (see `Agent.Role`): admins may do everything; agents everything but admin-only
actions; light agents read and add internal notes, nothing else. Visibility of a single
conversation (restricted teams) is decided by the conversations' visibility selectors; this
module answers only "may this agent perform this kind of action at all?".

    require(agent, Action.REPLY)          # raises PermissionDenied with a clear message
    if allows(agent, Action.ASSIGN): ...  # for templates and buttons
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from goodwill.accounts.models import Agent


class Action(StrEnum):
    NOTE = "note"  # add an internal note
    REPLY = "reply"  # answer the customer
    LOG_CONTACT = "log_contact"  # log a phone call or walk-in
    CHANGE_STATUS = "change_status"
    ASSIGN = "assign"
    EDIT_PROPERTIES = "edit_properties"  # priority, team, subject, need, tags, custom fields
    MERGE = "merge"
    SPLIT = "split"
    BULK_EDIT = "bulk_edit"
    EDIT_CUSTOMER = "edit_customer"
    WRITE_API = "write_api"  # any API call that changes something other than adding a note
    SHARE_VIEW = "share_view"  # a saved view everyone sees
    ADMINISTER = "administer"
    EDIT_KNOWLEDGE = "edit_knowledge"  # write and publish knowledge base articles


# Actions a light agent may take; everything else needs a full agent.
_LIGHT_MAY = frozenset({Action.NOTE})
# Actions only admins may take.
_ADMIN_ONLY = frozenset({Action.SHARE_VIEW, Action.ADMINISTER})

_REFUSALS: dict[Action, str] = {
    Action.REPLY: "Light agents can add internal notes, not replies.",
    Action.CHANGE_STATUS: "Light agents cannot change the status.",
    Action.ASSIGN: "Light agents cannot assign conversations.",
    Action.MERGE: "Light agents cannot merge conversations.",
    Action.SPLIT: "Light agents cannot split conversations.",
    Action.WRITE_API: "Light agents may read and add internal notes only.",
    Action.SHARE_VIEW: "Only admins share views with everyone.",
    Action.ADMINISTER: "Only admins may do this.",
    Action.EDIT_KNOWLEDGE: "Light agents can read the knowledge base, not edit it.",
}
_DEFAULT_REFUSAL = "Light agents can add internal notes only."


def allows(agent: Agent | None, action: Action) -> bool:
    """True when `agent` may take `action`; `None` is the system, which may do anything."""
    if agent is None:
        return True
    if not agent.is_active:
        return False
    if action in _ADMIN_ONLY:
        return agent.is_admin
    if agent.is_light:
        return action in _LIGHT_MAY
    return True


def require(agent: Agent | None, action: Action) -> None:
    """Raise `PermissionDenied` (with a message a person can act on) unless allowed."""
    if not allows(agent, action):
        raise PermissionDenied(refusal(action))


def refusal(action: Action) -> str:
    return _REFUSALS.get(action, _DEFAULT_REFUSAL)
