"""Webhooks reach public addresses only: refused when saved and when delivered, every resolved
address checked, the connection pinned to the checked address; operators allow networks."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.urls import reverse

from goodwill.webhooks import guard, services
from goodwill.webhooks.models import Webhook, WebhookDelivery

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::7f00:1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "ff02::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert guard.refusal(ipaddress.ip_address(address)) != ""


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert guard.refusal(ipaddress.ip_address(address)) == ""


def test_an_operator_allows_listed_networks_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = ["10.1.0.0/16", "::1/128"]
    assert guard.refusal(ipaddress.ip_address("10.1.2.3")) == ""
    assert guard.refusal(ipaddress.ip_address("::1")) == ""
    assert guard.refusal(ipaddress.ip_address("10.2.0.1")) == "a private address"
    assert guard.refusal(ipaddress.ip_address("127.0.0.1")) == "a loopback address"


@pytest.fixture
def fake_dns(monkeypatch):  # type: ignore[no-untyped-def]
    """Answers for made-up names (this machine has no DNS): name -> list of answer lists, one per
    lookup; the last list repeats. Other names resolve as usual. Records every lookup."""
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # type: ignore[no-untyped-def]
        if host not in answers:
            return real(host, port, family, type, proto, flags)
        lookups.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        result = []
        for address in addresses:
            if ":" in address:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return result

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


def test_a_name_is_refused_when_any_of_its_addresses_is_private(fake_dns):
    answers, _ = fake_dns
    answers["mixed.test"] = [["93.184.215.14", "10.0.0.7"]]
    with pytest.raises(guard.Refused, match=r"mixed.test \(10.0.0.7\) is a private address"):
        guard.target_of("https://mixed.test/hook")
    with pytest.raises(guard.Refused, match="loopback"):
        guard.target_of("http://localhost:8000/hook")


@pytest.mark.parametrize(
    "url", ["http://2130706433/hook", "http://0x7f.1/", "http://127.1/", "http://[::ffff:7f00:1]/"]
)
def test_other_spellings_of_loopback_are_refused(url):
    with pytest.raises(guard.Refused, match=r"127.0.0.1\)? is a loopback address|7f00:1 is a loopback"):
        guard.target_of(url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:7f00:1]/hook",
        "http://10.0.0.5/hook",
    ],
)
def test_the_form_refuses_a_private_address_with_a_clear_error(client, admin, url):
    client.force_login(admin)
    response = client.post(reverse("webhooks:new"), {"name": "Internal", "url": url})
    page = response.content.decode()
    assert response.status_code == 400 and not Webhook.objects.exists()
    assert "webhooks only post to public addresses" in page and "GOODWILL_WEBHOOK_ALLOW_PRIVATE" in page


@pytest.mark.django_db
def test_editing_to_a_private_address_changes_nothing(client, admin):
    webhook = Webhook.objects.create(name="CRM", url="https://crm.example.com/hook")
    client.force_login(admin)
    response = client.post(
        reverse("webhooks:detail", args=[webhook.pk]), {"name": "Renamed", "url": "http://169.254.169.254/"}
    )
    assert response.status_code == 400
    assert "is a link-local address" in response.content.decode()
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url) == ("CRM", "https://crm.example.com/hook")


@pytest.mark.django_db
def test_an_allowed_network_may_be_saved(client, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = ["10.20.0.0/16"]
    client.force_login(admin)
    response = client.post(reverse("webhooks:new"), {"name": "Internal", "url": "http://10.20.1.2/hook"})
    assert response.status_code == 302 and Webhook.objects.get().url == "http://10.20.1.2/hook"


@pytest.mark.django_db
def test_a_delivery_to_loopback_is_refused_by_default(receiver, settings):
    webhook = Webhook.objects.create(name="Loopback", url=receiver.url)  # saved before the rule existed
    settings.WEBHOOK_ALLOW_PRIVATE = []
    delivery = services.send_test(webhook)
    answer = services.attempt(delivery.pk)
    assert answer is not None and answer.status is None
    assert answer.error.startswith("Refused: 127.0.0.1 is a loopback address")
    assert receiver.requests == []
    attempt = WebhookDelivery.objects.get(pk=delivery.pk).attempt_log.get()
    assert attempt.error.startswith("Refused:")


@pytest.mark.django_db
def test_the_connection_goes_to_the_checked_address_even_if_dns_changes(receiver, fake_dns, settings):
    """DNS rebinding: the first answer passes the check, later answers point elsewhere. The POST
    must reach the checked address without asking DNS again."""
    answers, lookups = fake_dns
    port = int(receiver.url.split(":")[2].split("/")[0])
    answers["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]  # only 127.0.0.1/32 is allowed
    webhook = Webhook.objects.create(name="Rebind", url=f"http://rebind.test:{port}/hooks/goodwill")
    receiver.secret = webhook.secret
    answer = services.attempt(services.send_test(webhook).pk)
    assert answer is not None and answer.ok, answer
    assert lookups == ["rebind.test"]  # resolved once, then pinned
    [request] = receiver.requests
    assert request.valid and request.headers["Host"] == f"rebind.test:{port}"
    answer = services.attempt(services.send_test(webhook).pk)  # now DNS says 127.0.0.2: refused
    assert answer is not None and answer.error.startswith("Refused: rebind.test (127.0.0.2) is a loopback")
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_the_django_admin_refuses_a_private_address_too(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("admin:webhooks_webhook_add"),
        {"name": "Meta", "url": "http://169.254.169.254/", "topics": "[]", "consecutive_failures": 0},
    )
    assert response.status_code == 200 and not Webhook.objects.exists()
    assert "is a link-local address" in response.content.decode()


def test_the_allow_list_is_read_from_the_environment_and_a_typo_stops_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from goodwill.settings import _webhook_allow_private

    monkeypatch.setenv("GOODWILL_WEBHOOK_ALLOW_PRIVATE", "10.20.0.0/16, 127.0.0.1")
    assert _webhook_allow_private() == ["10.20.0.0/16", "127.0.0.1/32"]
    monkeypatch.setenv("GOODWILL_WEBHOOK_ALLOW_PRIVATE", "10.20.0.0/16,intranet")
    with pytest.raises(ImproperlyConfigured, match="'intranet' is not a network"):
        _webhook_allow_private()
