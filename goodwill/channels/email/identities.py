"""Whether an email address works: the failing mark that bounces set and working mail clears.

Below both the intake (a message from the address) and outbound (a delivery to it), so
each may clear the mark without importing the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from goodwill.customers.models import Identity


def clear_failing(address: str) -> None:
    """Mail reached `address` or came from it: it works again (acknowledgements resume, badge goes)."""
    clear_failing_many([address])


def clear_failing_many(addresses: Iterable[str]) -> None:
    wanted = sorted({address.lower() for address in addresses if address})
    if wanted:
        Identity.objects.filter(
            kind=Identity.Kind.EMAIL, value__in=wanted, failing_since__isnull=False
        ).update(failing_since=None)
