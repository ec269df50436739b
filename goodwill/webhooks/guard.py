"""Which addresses a webhook may post to: public ones only, unless an operator allows a network.

A webhook's URL comes from an admin of the workspace, not from the operator of the server, so a
webhook must not reach what only the server can reach: loopback, the private networks, link-local
(cloud metadata at 169.254.169.254), multicast, reserved and translation ranges. The rule is
checked when a webhook is saved (a clear error) and again at every delivery, on every address the
name resolves to; the POST then connects to one of those checked addresses, never to the name
again, so a DNS answer that changes between the check and the connect (rebinding) cannot move it.

The ranges follow Saleor's requests-hardened (`ip_filter.py`), with two differences that made it
unfit as a dependency here: it checks only the first resolved address, and its only exception is
"loopback on or off", where operators need a list of networks (`GOODWILL_WEBHOOK_ALLOW_PRIVATE`).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Global by Python's table, yet routable to internal workloads or carrying an IPv4 address inside.
EXTRA_BLOCKED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local NAT64
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
        "2001:20::/28",  # ORCHIDv2
        "5f00::/16",  # segment routing
        "3fff::/20",  # documentation
    )
)


class Refused(Exception):
    """The address is not one a webhook may reach; the message says why, for admins."""


@dataclass(frozen=True)
class Target:
    """Where one POST goes: the name for Host and TLS, the checked socket addresses to connect to."""

    host: str
    port: int
    sockaddrs: tuple[tuple[int, tuple], ...]  # (family, sockaddr) as getaddrinfo gave them


def allowed_networks() -> tuple[Network, ...]:
    """Private networks the operator allows (`GOODWILL_WEBHOOK_ALLOW_PRIVATE`, a CIDR list)."""
    return tuple(
        ipaddress.ip_network(cidr, strict=False) for cidr in getattr(settings, "WEBHOOK_ALLOW_PRIVATE", [])
    )


def refusal(address: Address) -> str:
    """Why a webhook may not post to `address`; "" when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed_networks()):
        return ""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or address.is_unspecified or not address.is_global:
        return "a reserved address"
    if any(address in network for network in EXTRA_BLOCKED):
        return "a reserved or translated address"
    return ""


def _message(host: str, address: Address, reason: str) -> str:
    shown = host if host == str(address) else f"{host} ({address})"
    return (
        f"{shown} is {reason}: webhooks only post to public addresses. The server's operator can "
        "allow a network with GOODWILL_WEBHOOK_ALLOW_PRIVATE."
    )


def resolve(host: str, port: int) -> Target:
    """Resolve `host` once and check every answer; Refused when any is not allowed or none came."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"Could not resolve {host}: {error}") from error
    sockaddrs: list[tuple[int, tuple]] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        reason = refusal(address)
        if reason:
            raise Refused(_message(host, address, reason))
        sockaddrs.append((family, sockaddr))
    if not sockaddrs:
        raise Refused(f"{host} has no IPv4 or IPv6 address.")
    return Target(host=host, port=port, sockaddrs=tuple(sockaddrs))


def target_of(url: str) -> Target:
    """The checked target of an http(s) URL; Refused for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"Not an http(s) address: {url[:200]}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused(f"Not a valid port in {url[:200]}") from error
    return resolve(parts.hostname, port)


def check_when_saving(url: str) -> str:
    """The error to show when an admin saves `url`; "" when it may be saved.

    A name that does not resolve now is accepted (DNS may not be set up yet, or this server
    has none): every delivery checks again before it connects."""
    try:
        target_of(url)
    except Refused as refused:
        if str(refused).startswith("Could not resolve"):
            return ""
        return str(refused)
    return ""


def connect(
    target: Target, timeout: float | None, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """A connected socket to the first checked address that answers (the name is not resolved
    again). Signature of `socket.create_connection`'s first use in http.client."""
    last: OSError | None = None
    for family, sockaddr in target.sockaddrs:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            last = error
    assert last is not None
    raise last
