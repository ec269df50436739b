"""Request types the views rely on, and the one rule for a request's client address."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN_CLIENT = "unknown"


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request does)."""

    htmx: HtmxDetails


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`, for per-IP limits and logs.

    The direct peer (REMOTE_ADDR) unless it is one of GOODWILL_TRUSTED_PROXIES; then the
    rightmost X-Forwarded-For hop that is not a trusted proxy, since every hop to the left
    of it was written by someone we do not trust and may be forged. UNKNOWN_CLIENT when
    the peer address is missing or malformed (a Unix socket).
    """
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return UNKNOWN_CLIENT
    networks: Sequence[IPNetwork] = getattr(settings, "TRUSTED_PROXIES", ())
    if not _trusted(peer, networks):
        return str(peer)
    client = peer
    hops = (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy appends a valid address; garbage further left is the client's own.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
