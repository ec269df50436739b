from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.customers.models import Customer
from goodwill.data.export import TEAM, write_export


class Command(BaseCommand):
    help = "Export one customer's data (JSON and original files) as a ZIP: goodwill export-customer EMAIL -o FILE.zip"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("-o", "--output", required=True, help="The ZIP file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = Customer.objects.with_email(options["email"]).first()
        if customer is None:
            raise CommandError(f"No customer has the address {options['email']}.")
        with open(options["output"], "wb") as out:
            summary = write_export(customer, out, audience=TEAM)
        self.stdout.write(json.dumps({"file": options["output"], **summary}))
