from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from goodwill.accounts.models import Agent
from goodwill.accounts.services import create_or_update_agent


class Command(BaseCommand):
    help = "Create an agent, or update an existing one's name, role or password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name")
        parser.add_argument("--role", choices=Agent.Role.values)
        parser.add_argument("--password")

    def handle(self, *args: Any, email: str, name: str | None, role: str | None, password: str | None, **options: Any) -> None:
        try:
            agent, created = create_or_update_agent(email, name=name, role=role, password=password)
        except (ValidationError, ValueError) as error:
            raise CommandError(str(error)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {agent.role} {agent.email}")
