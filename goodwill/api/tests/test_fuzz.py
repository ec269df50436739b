"""Random bodies, parameters and ids thrown at every endpoint: the answer is never a 500.

Operations and their field names come from the API's own OpenAPI description, so a new
endpoint is fuzzed as soon as it exists.
"""

import base64
import json
import os
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodwill.accounts.services import issue_api_token
from goodwill.api.api import api
from goodwill.conversations.models import ContactReason, CustomField
from goodwill.customers.services import save_organisation

pytestmark = pytest.mark.django_db

NASTY_TEXT = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "me", "none", "0", "-1", "1e400", "NaN", "9" * 30, "%", "💥", "\u202e",
     "2026-02-30T25:00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "x" * 400,
     "new", "open", "solved", "reply", "note", "urgent", "api", "a@b.test", "Europe/Berlin"]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
SURROGATE_BODIES = [b'{"text": "\\ud800", "kind": "note"}', b'{"name": "\\udfff"}', b'{"tags": ["\\ud83d"]}']


SCHEMA = api.get_openapi_schema()


def _operations():
    schema = SCHEMA
    components = schema["components"]["schemas"]
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            fields = []
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body and "$ref" in body:
                fields = list(components[body["$ref"].rsplit("/", 1)[1]].get("properties", {}))
            found.append((method, path, params, fields))
    return found


OPERATIONS = _operations()
DOCUMENTED = {
    (method, path): set(operation["responses"])
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
}



@st.composite
def requests(draw, numbers):
    method, path, params, fields = draw(st.sampled_from(OPERATIONS))
    ids = st.one_of(st.sampled_from(numbers), st.integers(min_value=-5, max_value=2**70).map(str), TEXT)
    drawn = []
    url = re.sub(r"\{[^}]+\}", lambda _: drawn.append(str(draw(ids))) or drawn[-1], path)
    if not all(re.fullmatch(r"[\w.~-]+", value, re.ASCII) for value in drawn):
        path = None  # an id with "/", "?", "#" or "%" reaches another route, or none
    query = {name: draw(st.one_of(TEXT, st.lists(TEXT, max_size=3))) for name in params if draw(st.booleans())}
    body = None
    if method in ("post", "patch"):
        shaped = st.fixed_dictionaries({}, optional={name: JSON for name in fields})
        body = draw(st.one_of(shaped, shaped, JSON.map(lambda v: v), st.sampled_from(SURROGATE_BODIES),
                              st.binary(max_size=30)))
    return method, path, url, query, body


def _send(client, token, method, url, query, body):
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(url, query, headers=headers)
    data = body if isinstance(body, bytes) else json.dumps(body)
    qs = "&".join(f"{k}={v}" for k, v in query.items() if isinstance(v, str))
    return client.generic(
        method.upper(), f"{url}?{qs}", data, content_type="application/json", headers=headers
    )


@pytest.fixture
def fuzz_world(admin, light_agent, customer, support_conversation, billing_conversation):
    ContactReason.objects.create(name="Refund")
    CustomField.objects.create(key="order", label="Order", type=CustomField.Type.NUMBER)
    CustomField.objects.create(key="when", label="When", type=CustomField.Type.DATE)
    CustomField.objects.create(key="size", label="Size", type=CustomField.Type.CHOICE, choices=["S", "M"])
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    numbers = [str(support_conversation.number), str(billing_conversation.number), str(customer.pk), str(acme.pk)]
    return [issue_api_token(admin), issue_api_token(light_agent)], numbers


def test_random_requests_never_cause_a_server_error(fuzz_world):
    tokens, numbers = fuzz_world
    client = Client(raise_request_exception=True)

    @settings(
        max_examples=int(os.environ.get("GOODWILL_FUZZ_EXAMPLES", "400")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=requests(numbers), token=st.sampled_from(tokens))
    def check(request, token):
        method, path, url, query, body = request
        response = _send(client, token, method, url, query, body)
        assert response.status_code < 500, (method, url, query, body, response.content[:500])
        if response.status_code >= 400:
            assert "detail" in response.json()
        if path is not None:
            assert str(response.status_code) in DOCUMENTED[method, path], (method, url, response.status_code)

    check()


def _plausible_fields(ids):
    """Per field, values that are mostly right: so requests get past validation into the services."""
    some_id = st.one_of(st.sampled_from(ids), st.none(), st.integers(min_value=1, max_value=2**63 - 1))
    words = st.one_of(st.text(max_size=30), NASTY_TEXT)
    emails = st.one_of(st.emails(), words, st.just("Nia <nia@example.test>"))
    base64_text = st.one_of(st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()), words)
    attachment = st.fixed_dictionaries(
        {"name": words, "content_base64": base64_text},
        optional={"content_type": st.sampled_from(["text/plain", "image/png", "bad type", "a/b\nc"])},
    )
    return {
        "customer": some_id, "team": some_id, "need": some_id, "assignee": some_id, "organisation": some_id,
        "customer_email": emails, "customer_name": words, "subject": words, "text": words, "html": words,
        "name": words, "notes": words, "preferred_name": words, "pronunciation": words, "language": words,
        "preferred_channel": words, "is_internal": st.booleans(),
        "channel": st.one_of(st.sampled_from(["api", "email", "phone", "walk_in", "portal"]), words),
        "priority": st.one_of(st.sampled_from(["low", "normal", "high", "urgent"]), words),
        "status": st.one_of(st.sampled_from(["new", "open", "pending", "on_hold", "solved", "closed"]), words),
        "kind": st.sampled_from(["reply", "note", "note", "other"]),
        "need_met": st.sampled_from(["yes", "partly", "no", "", "maybe"]),
        "tags": st.lists(words, max_size=4),
        "custom_fields": st.dictionaries(st.sampled_from(["order", "when", "size", "other"]), JSON, max_size=3),
        "emails": st.lists(emails, max_size=3), "add_emails": st.lists(emails, max_size=2),
        "phones": st.lists(st.one_of(words, st.from_regex(r"\+?[0-9 ]{3,15}", fullmatch=True)), max_size=2),
        "add_phones": st.lists(words, max_size=2),
        "time_zone": st.one_of(st.sampled_from(["Europe/Berlin", "UTC", "Mars/Base", ""]), words),
        "domains": st.lists(st.one_of(st.sampled_from(["acme.test", "@x.example", "a,b.c"]), words), max_size=3),
        "attachments": st.lists(attachment, max_size=2),
    }


@st.composite
def plausible_requests(draw, numbers, ids):
    writes = [op for op in OPERATIONS if op[0] in ("post", "patch")]
    method, path, _params, fields = draw(st.sampled_from(writes))
    url = re.sub(r"\{[^}]+\}", lambda _: draw(st.sampled_from(numbers)), path)
    strategies = _plausible_fields(ids)
    body = draw(st.fixed_dictionaries({}, optional={name: strategies.get(name, JSON) for name in fields}))
    return method, path, url, {}, body


def test_plausible_writes_never_cause_a_server_error(fuzz_world, support_team, agent):
    tokens, numbers = fuzz_world
    tokens = [*tokens, issue_api_token(agent)]
    ids = [int(number) for number in numbers] + [support_team.pk, agent.pk]
    client = Client(raise_request_exception=True)
    outcomes = set()

    @settings(
        max_examples=int(os.environ.get("GOODWILL_FUZZ_EXAMPLES", "400")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=plausible_requests(numbers, ids), token=st.sampled_from(tokens))
    def check(request, token):
        method, path, url, query, body = request
        response = _send(client, token, method, url, query, body)
        assert response.status_code < 500, (method, url, body, response.content[:500])
        outcomes.add(response.status_code // 100)
        if response.status_code >= 400:
            assert "detail" in response.json()
        assert str(response.status_code) in DOCUMENTED[method, path], (method, url, response.status_code)

    check()
    assert 2 in outcomes  # some writes got all the way through the services
