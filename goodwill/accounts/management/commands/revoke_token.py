from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from goodwill.accounts.models import Agent, ApiToken
from goodwill.accounts.services import revoke_agent_tokens


class Command(BaseCommand):
    help = "Revoke API tokens of the agent with this email address: --all, or the one starting with TOKEN-PREFIX."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("prefix", nargs="?", metavar="TOKEN-PREFIX", help="the token's first characters")
        parser.add_argument("--all", action="store_true", help="every token of the agent")

    def handle(self, *args: Any, email: str, prefix: str | None, all: bool, **options: Any) -> None:
        if all == (prefix is not None):
            raise CommandError(
                "Give --all or a token prefix (not both)" if all else "Give --all or a token prefix"
            )
        address = email.strip().lower()
        agent = Agent.objects.filter(email=address).first()
        if agent is None:
            raise CommandError(f"No agent {address}")
        if prefix is not None and len(prefix) < 6:
            raise CommandError("A token prefix has at least 6 characters (the list shows 10)")
        if prefix is not None:
            matching = ApiToken.objects.filter(
                agent=agent, revoked_at__isnull=True, prefix__startswith=prefix[:10]
            )
            if matching.count() > 1:
                raise CommandError(
                    f"{matching.count()} tokens start with {prefix}: give more characters, or --all"
                )
        revoked = revoke_agent_tokens(agent, prefix=prefix)
        if prefix is not None and revoked == 0:
            raise CommandError(f"No live token of {address} starts with {prefix}")
        self.stdout.write(f"Revoked {revoked} token{'' if revoked == 1 else 's'} of {address}.")
