"""Replacing a person's details inside free text and JSON, without touching anything else."""

from __future__ import annotations

import re
from typing import Any

from django.db import models

from goodwill.customers.models import Customer, Identity

PLACEHOLDER = "[erased]"
REMOVED_MESSAGE = "[Removed at the customer's request.]"
ERASED_NAME = "Erased customer"


class Scrubber:
    """Knows one customer's addresses, phone numbers and names and blanks them out of text."""

    def __init__(self, customer: Customer) -> None:
        identities = list(Identity.objects.filter(customer=customer).values_list("kind", "value"))
        self.addresses = sorted(
            {value for kind, value in identities if kind == Identity.Kind.EMAIL}, key=len
        )[::-1]
        self.phones = sorted({value for kind, value in identities if kind == Identity.Kind.PHONE}, key=len)[
            ::-1
        ]
        names = {customer.name.strip(), customer.preferred_name.strip(), customer.pronunciation.strip()}
        names |= {part for part in customer.name.split() if len(part) >= 3}
        self.names = sorted({name for name in names if len(name) >= 3}, key=len)[::-1]
        patterns = [re.escape(item) for item in [*self.addresses, *self.phones]]
        self._exact = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
        self._names = (
            re.compile(r"\b(?:" + "|".join(re.escape(name) for name in self.names) + r")\b")
            if self.names
            else None
        )

    @property
    def needles(self) -> list[str]:
        """The distinctive tokens (addresses, phone numbers) a search of every table looks for."""
        return [*self.addresses, *self.phones]

    def text(self, value: str) -> str:
        if not value:
            return value
        if self._exact is not None:
            value = self._exact.sub(PLACEHOLDER, value)
        if self._names is not None:
            value = self._names.sub(PLACEHOLDER, value)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {
                self.text(key) if isinstance(key, str) else key: self.value(item)
                for key, item in value.items()
            }
        return value

    def row(self, instance: models.Model, fields: list[models.Field]) -> list[str]:  # type: ignore[type-arg]
        """Scrub `fields` of `instance` in place; returns the names of the fields that changed."""
        changed = []
        for item in fields:
            before = getattr(instance, item.attname)
            after = self.value(before)
            if isinstance(after, str) and getattr(item, "max_length", None):
                after = after[: item.max_length]
            if after != before:
                setattr(instance, item.attname, after)
                changed.append(item.attname)
        return changed
