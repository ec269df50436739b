"""The demo's people on the help desk side, and its vocabulary: teams, agents, tags,
custom fields and the needs taxonomy.

Few rows, so they go through the normal services and their ids follow the database's
sequences (the bulk rows that refer to them take the ids from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.db import transaction

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.conversations.models import ContactReason, CustomField, Tag
from goodwill.demo import content as c
from goodwill.demo.basics import DEMO_ADMIN, DEMO_AGENT

Person = tuple[int, str]  # (agent id, display name)


@dataclass(frozen=True)
class Staff:
    """Who works which team, and what conversations can be about, as ids for the bulk rows."""

    tags: list[int]
    needs: list[tuple[int, str, str]]  # (reason id, parent name, leaf name)
    support_id: int
    billing_id: int
    team_of_parent: dict[str, int]  # need parent name → team id, when not support
    repliers: dict[int, list[Person]]  # per team id, weighted by `replier_weights`
    replier_weights: dict[int, list[int]]  # cumulative
    light: Person  # the light agent, who only adds notes
    demo_agent: Person


def create_staff(anchor: int) -> Staff:
    """Teams, agents, tags, custom fields and needs (kept if they exist). `anchor` in epoch seconds."""
    joined = datetime.fromtimestamp(anchor, tz=UTC) - timedelta(days=400)
    with transaction.atomic():
        teams = _teams(joined)
        agents = _agents(joined, teams)
        tags = [Tag.objects.get_or_create(name=name)[0].pk for name in c.TAGS]
        for position, (key, label, kind, choices) in enumerate(c.CUSTOM_FIELDS):
            CustomField.objects.get_or_create(
                key=key, defaults={"label": label, "type": kind, "choices": choices, "position": position}
            )
        needs = _needs()
    support = teams["support"].pk
    billing = teams["billing"].pk

    def people(*emails: str) -> list[Person]:
        return [(agents[email].pk, agents[email].name) for email in emails]

    return Staff(
        tags=tags,
        needs=needs,
        support_id=support,
        billing_id=billing,
        team_of_parent={"Billing": billing},
        # The demo agent gets a good share of the work.
        repliers={
            support: people(
                DEMO_AGENT,
                "priya.shah@example.com",
                "tom.becker@example.com",
                "mei.lin@example.com",
                DEMO_ADMIN,
            ),
            billing: people("olu.adeyemi@example.com", "sofia.rossi@example.com", DEMO_ADMIN),
        },
        replier_weights={
            support: list(accumulate((30, 22, 20, 20, 8))),
            billing: list(accumulate((45, 45, 10))),
        },
        light=people("noah.kim@example.com")[0],
        demo_agent=people(DEMO_AGENT)[0],
    )


def _teams(joined: datetime) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for slug, name, restricted, address in c.TEAMS:
        team, _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_restricted": restricted, "email_address": address}
        )
        Team.objects.filter(pk=team.pk).update(created_at=joined)
        teams[slug] = team
    return teams


def _agents(joined: datetime, teams: dict[str, Team]) -> dict[str, Agent]:
    agents: dict[str, Agent] = {}
    for email, name, role, team_slugs, zone, password in c.AGENTS:
        agent, _ = create_or_update_agent(email, name=name, role=role, time_zone=zone, password=password)
        Agent.objects.filter(pk=agent.pk).update(date_joined=joined)
        for slug in team_slugs:
            add_to_team(agent, teams[slug])
        agents[email] = agent
    return agents


def _needs() -> list[tuple[int, str, str]]:
    """The contact reasons of the taxonomy: (reason id, parent name, leaf name), leaf "" for a parent."""
    needs: list[tuple[int, str, str]] = []
    parents: dict[str, ContactReason] = {}
    for parent_name, leaf, keywords, *_ in c.TAXONOMY:
        if parent_name not in parents:
            parents[parent_name] = ContactReason.objects.get_or_create(parent=None, name=parent_name)[0]
        if leaf:
            reason, _ = ContactReason.objects.get_or_create(
                parent=parents[parent_name], name=leaf, defaults={"keywords": keywords}
            )
        else:
            reason = parents[parent_name]
            if not reason.keywords:
                ContactReason.objects.filter(pk=reason.pk).update(keywords=keywords)
        needs.append((reason.pk, parent_name, leaf))
    return needs
