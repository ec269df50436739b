"""`client_ip`: the one rule for a request's client address behind (or without) proxies."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from goodwill.core.http import UNKNOWN_CLIENT, client_ip


def address_of(peer: str | None, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/")
    if peer is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = peer
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@pytest.fixture
def proxies(settings):  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]
    return settings


def test_without_trusted_proxies_it_is_the_peer_whatever_the_header_says(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = []

    assert address_of("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_an_untrusted_peer_is_the_client_even_with_proxies_configured(proxies: object) -> None:
    assert address_of("203.0.113.5", "10.1.1.1, 198.51.100.1") == "203.0.113.5"


def test_behind_a_trusted_proxy_it_is_the_rightmost_untrusted_hop(proxies: object) -> None:
    assert address_of("10.0.0.2", "192.0.2.66, 198.51.100.7, 10.4.4.4") == "198.51.100.7"


def test_a_trusted_proxy_without_the_header_is_itself_the_client(proxies: object) -> None:
    assert address_of("10.0.0.2") == "10.0.0.2"


def test_garbage_in_the_header_stops_the_walk_at_the_last_good_hop(proxies: object) -> None:
    assert address_of("10.0.0.2", "not-an-ip") == "10.0.0.2"
    assert address_of("10.0.0.2", "junk, 198.51.100.7") == "198.51.100.7"


def test_ports_brackets_and_ipv6_are_understood(proxies: object) -> None:
    assert address_of("2001:db8::1", "[2001:db9::5]:443") == "2001:db9::5"
    assert address_of("10.0.0.2", "198.51.100.7:51234") == "198.51.100.7"
    assert address_of("::ffff:10.0.0.2", "198.51.100.8") == "198.51.100.8"


def test_only_trusted_hops_means_the_leftmost_one(proxies: object) -> None:
    assert address_of("10.0.0.2", "10.9.9.9, 10.0.0.3") == "10.9.9.9"


def test_a_missing_peer_is_unknown(proxies: object) -> None:
    assert address_of(None, "198.51.100.7") == UNKNOWN_CLIENT


def test_the_setting_takes_addresses_and_networks_and_refuses_garbage(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from goodwill.core.testing import clean_env, python_json, run_python

    code = "from django.conf import settings\nimport json\nprint(json.dumps([str(n) for n in settings.TRUSTED_PROXIES]))"
    seen = python_json(code, clean_env(tmp_path, GOODWILL_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,::1"))
    bad = run_python(code, clean_env(tmp_path, GOODWILL_TRUSTED_PROXIES="10.0.0.0/8,proxy.local"))

    assert seen == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert bad.returncode != 0
    assert "GOODWILL_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network" in bad.stderr
