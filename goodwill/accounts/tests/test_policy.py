import pytest
from django.core.exceptions import PermissionDenied

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows, require


def _agent(role: str, *, active: bool = True) -> Agent:
    return Agent(email=f"{role}@example.com", role=role, is_active=active)


def test_light_agents_may_only_add_notes() -> None:
    light = _agent(Agent.Role.LIGHT)
    assert allows(light, Action.NOTE)
    for action in Action:
        if action != Action.NOTE:
            assert not allows(light, action), action


def test_agents_may_do_everything_but_admin_only_actions() -> None:
    agent = _agent(Agent.Role.AGENT)
    assert allows(agent, Action.REPLY)
    assert allows(agent, Action.MERGE)
    assert not allows(agent, Action.SHARE_VIEW)
    assert allows(_agent(Agent.Role.ADMIN), Action.SHARE_VIEW)


def test_an_inactive_agent_may_do_nothing() -> None:
    assert not allows(_agent(Agent.Role.ADMIN, active=False), Action.NOTE)


def test_require_names_what_was_refused() -> None:
    with pytest.raises(PermissionDenied, match="not replies"):
        require(_agent(Agent.Role.LIGHT), Action.REPLY)
    require(None, Action.ADMINISTER)  # the system may
