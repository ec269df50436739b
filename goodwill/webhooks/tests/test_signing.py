"""Signatures: HMAC-SHA256 over timestamp "." body, refused when tampered with or stale."""

from __future__ import annotations

import time

from goodwill.webhooks.signing import sign, verify
from goodwill.webhooks.tests.conftest import readme_verifier

SECRET = "whsec_test"
BODY = b'{"topic":"conversation.status"}'


def test_a_signature_verifies_and_a_changed_body_or_secret_does_not():
    header = sign(SECRET, BODY)
    assert verify(SECRET, BODY, header)
    assert not verify(SECRET, BODY + b" ", header)
    assert not verify("whsec_other", BODY, header)
    assert not verify(SECRET, BODY, "v1=abc")


def test_the_replay_window_refuses_old_and_future_timestamps():
    now = time.time()
    assert verify(SECRET, BODY, sign(SECRET, BODY, int(now) - 299), now=now)
    assert not verify(SECRET, BODY, sign(SECRET, BODY, int(now) - 301), now=now)
    assert not verify(SECRET, BODY, sign(SECRET, BODY, int(now) + 301), now=now)


def test_the_readme_example_agrees_with_the_signer():
    readme = readme_verifier()
    assert readme(SECRET, BODY, sign(SECRET, BODY))
    assert not readme(SECRET, BODY, sign(SECRET, BODY, int(time.time()) - 3600))
    assert not readme(SECRET, b"{}", sign(SECRET, BODY))
