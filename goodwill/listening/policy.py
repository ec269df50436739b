"""Team and agent listening settings: the abuse policy, the tone checks a team switched off,
its jargon list, when repeated abuse reaches the lead, and the agent's "mask abusive text"."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from goodwill.accounts.models import Agent, Team
from goodwill.core.html import sanitise_html
from goodwill.listening.engine import TONE_CHECKS
from goodwill.listening.models import AgentListening, TeamListening

DEFAULT_POLICY = """**We help every customer, and we do not accept abuse.**

- Insults, threats, slurs and harassment aimed at any of us are abuse. Strong words about a
  product or a situation ("the bloody thing broke") are not.
- Answer calmly and firmly, once: name the behaviour, say what we will do about the problem,
  and say what happens if the abuse goes on.
- Never answer abuse with abuse, sarcasm or silence on the problem itself.
- Threats of violence: tell your team lead at once. You may hand the conversation over.
- You may mask abusive text (your preferences) and read it only when you choose to.
"""

SUGGESTED_REPLY = (
    "Hello{name},\n\nI want to help sort this out, and I will. I can't continue while the messages "
    "include insults or threats towards our team, so please keep to the problem itself. "
    "Here is what I am doing next: "
)

# Human names for the switchable tone checks (the admin page and the coach show these).
CHECK_LABELS = {
    "greeting_missing": "Greeting",
    "name_missing": "Customer's name",
    "name_not_preferred": "Preferred name",
    "thanks_missing": "Thanks",
    "empathy_missing": "Empathy when the customer is upset",
    "blame": "Blame",
    "negative": "Negative phrasing",
    "jargon": "Jargon",
    "shouting": "SHOUTING",
    "exclamations": "Stacked exclamation marks",
    "next_step_missing": "Clear next step",
    "promise_no_date": "Promise without a date",
    "reading_level": "Reading level",
}
assert set(CHECK_LABELS) == set(TONE_CHECKS)

_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Settings:
    policy_markdown: str
    disabled_checks: frozenset[str]
    jargon: dict[str, str]  # term -> plain wording ("" when none is known)
    repeat_abuse_count: int
    repeat_abuse_days: int
    is_default_policy: bool


def settings_for(team: Team | None) -> Settings:
    """The team's settings; the defaults for no team or a team that never saved any."""
    row = TeamListening.objects.filter(team=team).first() if team is not None else None
    if row is None:
        row = TeamListening()
    return Settings(
        policy_markdown=row.abuse_policy.strip() or DEFAULT_POLICY,
        disabled_checks=frozenset(c for c in row.disabled_checks if c in TONE_CHECKS),
        jargon=parse_jargon(row.jargon),
        repeat_abuse_count=row.repeat_abuse_count,
        repeat_abuse_days=row.repeat_abuse_days,
        is_default_policy=not row.abuse_policy.strip(),
    )


def parse_jargon(text: str) -> dict[str, str]:
    """ "RMA = return number" lines into {"RMA": "return number"}; a bare term maps to ""."""
    terms: dict[str, str] = {}
    for line in text.splitlines():
        term, _, plain = line.partition("=")
        if term.strip():
            terms[term.strip()[:60]] = plain.strip()[:100]
    return terms


def policy_html(markdown: str) -> SafeString:
    return mark_safe(sanitise_html(_markdown.render(markdown)))  # noqa: S308 - sanitised


def save_team_settings(
    team: Team,
    *,
    abuse_policy: str,
    disabled_checks: list[str],
    jargon: str,
    repeat_abuse_count: int,
    repeat_abuse_days: int,
) -> TeamListening:
    unknown = set(disabled_checks) - set(TONE_CHECKS)
    if unknown:
        raise ValueError(f"Unknown tone checks: {', '.join(sorted(unknown))}")
    row, _ = TeamListening.objects.update_or_create(
        team=team,
        defaults={
            "abuse_policy": abuse_policy.strip(),
            "disabled_checks": sorted(disabled_checks),
            "jargon": jargon.strip(),
            "repeat_abuse_count": repeat_abuse_count,
            "repeat_abuse_days": repeat_abuse_days,
        },
    )
    return row


def masks_abuse(agent: Agent) -> bool:
    return AgentListening.objects.filter(agent=agent, mask_abuse=True).exists()


def set_mask_abuse(agent: Agent, mask: bool) -> None:
    AgentListening.objects.update_or_create(agent=agent, defaults={"mask_abuse": mask})


def suggested_reply(preferred_name: str) -> str:
    return SUGGESTED_REPLY.format(name=f" {preferred_name}" if preferred_name else "")
