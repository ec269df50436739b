"""Django's deployment checklist passes with production settings (an HTTPS base URL)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from goodwill.core.testing import PYTHON, clean_env


def test_check_deploy_reports_nothing_for_an_https_site(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        GOODWILL_BASE_URL="https://help.example.com",
        GOODWILL_DEBUG="0",
        GOODWILL_ALLOWED_HOSTS="help.example.com",
    )
    # The browser tests' conftest sets this for Playwright in the test process; no deployment has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [PYTHON, "-m", "django", "check", "--deploy", "--settings", "goodwill.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", (
        result.stdout + result.stderr
    )
    assert "WARNING" not in result.stderr, result.stderr
