from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.customers.models import Customer
from goodwill.data.erasure import erase_customer


class Command(BaseCommand):
    help = (
        "Erase a customer: delete their conversations, or with --keep-conversations keep them with the "
        "person's data replaced. Raw mail, attachments, search entries, cache and task payloads go too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--keep-conversations", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = Customer.objects.with_email(options["email"]).first()
        if customer is None:
            raise CommandError(f"No customer has the address {options['email']}.")
        erasure = erase_customer(customer, keep_conversations=options["keep_conversations"])
        self.stdout.write(json.dumps({"erasure": erasure.pk, "mode": erasure.mode, "counts": erasure.counts}))
