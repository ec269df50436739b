"""The `goodwill` command line, as CONTRACTS.md promises it to operators."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

from goodwill.core.testing import (
    GOODWILL,
    PYTHON,
    clean_env,
    free_port,
    http_get,
    python_json,
    run_goodwill,
    stop,
    wait_for_http,
)

AGENT = """
import json
from goodwill.accounts.models import Agent
agent = Agent.objects.get(email={email!r})
print(json.dumps({{"name": agent.name, "role": agent.role, "password_ok": agent.check_password({password!r}),
                  "usable": agent.has_usable_password()}}))
"""


def test_python_m_goodwill_shows_help_with_goodwills_own_commands(tmp_path: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "goodwill", "--help"], env=clean_env(tmp_path), capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    for command in ("serve", "worker", "create_agent", "create_token", "migrate"):
        assert command in result.stdout


def test_hyphenated_commands_reach_their_management_command(tmp_path: Path) -> None:
    result = run_goodwill(["create-agent", "--help"], clean_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "--role" in result.stdout
    assert "{admin,agent,light}" in result.stdout


def test_create_agent_creates_then_updates_an_agent(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)

    created = run_goodwill(
        ["create-agent", "Nora@Example.com", "--name", "Nora North", "--role", "light", "--password", "first-pass-1"],
        env,
    )
    updated = run_goodwill(["create-agent", "nora@example.com", "--role", "admin", "--password", "second-pass-2"], env)

    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created light nora@example.com"
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.strip() == "Updated admin nora@example.com"
    seen = python_json(AGENT.format(email="nora@example.com", password="second-pass-2"), env)
    assert seen == {"name": "Nora North", "role": "admin", "password_ok": True, "usable": True}


def test_create_agent_without_a_password_cannot_sign_in_until_reset(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)

    result = run_goodwill(["create-agent", "quiet@example.com"], env)

    assert result.returncode == 0, result.stderr
    seen = python_json(AGENT.format(email="quiet@example.com", password=""), env)
    assert seen == {"name": "", "role": "agent", "password_ok": False, "usable": False}


def test_create_agent_refuses_an_unknown_role_or_bad_address(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)

    bad_role = run_goodwill(["create-agent", "x@example.com", "--role", "boss"], env)
    bad_email = run_goodwill(["create-agent", "not-an-address"], env)

    assert bad_role.returncode != 0
    assert "invalid choice: 'boss'" in bad_role.stderr
    assert bad_email.returncode != 0
    assert "email" in bad_email.stderr.lower()
    assert "Traceback" not in bad_email.stderr


def test_create_token_prints_a_token_that_authenticates_that_agent(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    run_goodwill(["create-agent", "api@example.com", "--role", "agent"], env)

    first = run_goodwill(["create-token", "api@example.com"], env)
    second = run_goodwill(["create-token", "API@example.com"], env)

    assert first.returncode == 0, first.stderr
    token = first.stdout.strip()
    assert token.startswith("gw_") and len(token) > 30
    assert second.stdout.strip() != token
    owner = python_json(
        "import json\nfrom goodwill.accounts.services import agent_for_token\n"
        f"print(json.dumps(agent_for_token({token!r}).email))",
        env,
    )
    assert owner == "api@example.com"
    stored = python_json(
        "import json\nfrom goodwill.accounts.models import ApiToken\n"
        "print(json.dumps(list(ApiToken.objects.values_list('token_hash', flat=True))))",
        env,
    )
    assert token not in stored


def test_create_token_refuses_an_unknown_agent(migrated_data_dir: Path) -> None:
    result = run_goodwill(["create-token", "nobody@example.com"], clean_env(migrated_data_dir))

    assert result.returncode != 0
    assert "No active agent nobody@example.com" in result.stderr
    assert result.stdout == ""


def test_serve_answers_healthz_static_files_and_the_api(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    run_goodwill(["create-agent", "ops@example.com", "--role", "admin"], env)
    token = run_goodwill(["create-token", "ops@example.com"], env).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [GOODWILL, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_http(f"{base}/healthz", process=server, timeout=120)

        health = http_get(f"{base}/healthz")
        css = http_get(f"{base}/static/goodwill/goodwill.css")
        workspace = http_get(f"{base}/")
        anonymous_api = http_get(f"{base}/api/v1/conversations")
        request = urllib.request.Request(
            f"{base}/api/v1/conversations", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            api_status, api_body = response.status, json.loads(response.read())
    finally:
        stop(server)

    assert health == (200, b'{"status": "ok", "database": "ok"}')
    assert css[0] == 200
    assert b"{" in css[1]
    assert workspace[0] == 200  # urllib followed the redirect to the sign-in page
    assert b"password" in workspace[1].lower()
    assert anonymous_api[0] == 401
    assert api_status == 200
    assert api_body["items"] == []
    assert (migrated_data_dir / "static" / "goodwill").is_dir()
