from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from goodwill.accounts.models import Agent
from goodwill.accounts.services import issue_api_token


class Command(BaseCommand):
    help = "Print a new API token for the agent with this email address."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        agent = Agent.objects.filter(email=email.strip().lower(), is_active=True).first()
        if agent is None:
            raise CommandError(f"No active agent {email}")
        self.stdout.write(issue_api_token(agent, name=name))
