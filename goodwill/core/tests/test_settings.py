"""Every environment variable in CONTRACTS.md, read by a fresh Python as an operator sets it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from goodwill.core.testing import clean_env, python_json, run_python

SHOW = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "data_dir": str(s.DATA_DIR),
    "secret_key": s.SECRET_KEY,
    "debug": s.DEBUG,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "base_url": s.BASE_URL,
    "db_engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST", ""),
    "db_port": str(db.get("PORT", "")),
    "db_user": db.get("USER", ""),
    "db_options": {k: v for k, v in db.get("OPTIONS", {}).items()},
    "email_backend": s.EMAIL_BACKEND,
    "email_host": getattr(s, "EMAIL_HOST", None),
    "email_port": getattr(s, "EMAIL_PORT", None),
    "email_user": getattr(s, "EMAIL_HOST_USER", None),
    "email_password": getattr(s, "EMAIL_HOST_PASSWORD", None),
    "email_tls": getattr(s, "EMAIL_USE_TLS", None),
    "email_ssl": getattr(s, "EMAIL_USE_SSL", None),
    "cache_backend": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION"),
    "tasks_backend": s.TASKS["default"]["BACKEND"],
    "installed_apps": s.INSTALLED_APPS,
    "rq_queues": getattr(s, "RQ_QUEUES", None),
    "csrf_trusted_origins": s.CSRF_TRUSTED_ORIGINS,
    "secure_cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
}))
"""


def read_settings(data_dir: Path, **env: str) -> dict[str, Any]:
    result = python_json(SHOW, clean_env(data_dir, **env))
    assert isinstance(result, dict)
    return result


def test_it_keeps_everything_in_the_data_dir_by_default(tmp_path: Path) -> None:
    data_dir = tmp_path / "somewhere" / "data"

    seen = read_settings(data_dir)

    assert seen["data_dir"] == str(data_dir)
    assert data_dir.is_dir()
    assert seen["db_engine"] == "django.db.backends.sqlite3"
    assert seen["db_name"] == str(data_dir / "goodwill.sqlite3")
    assert (data_dir / "secret_key").exists()


def test_it_defaults_to_safe_values(tmp_path: Path) -> None:
    seen = read_settings(tmp_path)

    assert seen["debug"] is False
    assert seen["allowed_hosts"] == ["127.0.0.1", "localhost"]
    assert seen["base_url"] == "http://127.0.0.1:8000"
    assert seen["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert seen["tasks_backend"] == "django_tasks_db.DatabaseBackend"
    assert seen["cache_backend"] == "django.core.cache.backends.db.DatabaseCache"


def test_it_turns_on_wal_and_a_busy_timeout_for_sqlite(tmp_path: Path) -> None:
    options = read_settings(tmp_path)["db_options"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout=" in options["init_command"]


def test_it_reads_a_postgresql_database_url(tmp_path: Path) -> None:
    seen = read_settings(
        tmp_path, GOODWILL_DATABASE_URL="postgresql://gw:s3cret@db.internal:6543/goodwill_prod"
    )

    assert seen["db_engine"] == "django.db.backends.postgresql"
    assert seen["db_name"] == "goodwill_prod"
    assert seen["db_host"] == "db.internal"
    assert seen["db_port"] == "6543"
    assert seen["db_user"] == "gw"
    assert "init_command" not in seen["db_options"]


def test_it_reads_a_sqlite_database_url_pointing_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other.sqlite3"

    seen = read_settings(tmp_path / "data", GOODWILL_DATABASE_URL=f"sqlite:///{elsewhere}")

    assert seen["db_name"] == str(elsewhere)
    assert "journal_mode=WAL" in seen["db_options"]["init_command"]


def test_it_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = read_settings(tmp_path)["secret_key"]
    second = read_settings(tmp_path)["secret_key"]

    assert len(first) >= 50
    assert first == second
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_processes_starting_at_once_agree_on_one_whole_secret_key(tmp_path: Path) -> None:
    """Web processes and a worker often start together on a new data dir: none may read a
    created-but-empty key file, and all must end up with the same key."""
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = clean_env(tmp_path)
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [start.communicate(timeout=300) for start in starts]
    assert [start.returncode for start in starts] == [0, 0, 0, 0], [err for _out, err in results]
    keys = {out.strip() for out, _err in results}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert sorted(path.name for path in tmp_path.iterdir() if "secret" in path.name) == ["secret_key"]


def test_it_prefers_the_secret_key_from_the_environment(tmp_path: Path) -> None:
    seen = read_settings(tmp_path, GOODWILL_SECRET_KEY="from-the-environment-" + "x" * 40)

    assert seen["secret_key"] == "from-the-environment-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_it_reads_secrets_from_files(tmp_path: Path) -> None:
    (tmp_path / "key.txt").write_text("key-from-a-file-" + "y" * 40 + "\n")
    (tmp_path / "db.txt").write_text("postgresql://app:filepass@pg.example:5432/gw\n")
    (tmp_path / "mail.txt").write_text("smtp://mailer:mailpass@smtp.example:587?starttls=1\n")

    seen = read_settings(
        tmp_path / "data",
        GOODWILL_SECRET_KEY_FILE=str(tmp_path / "key.txt"),
        GOODWILL_DATABASE_URL_FILE=str(tmp_path / "db.txt"),
        GOODWILL_EMAIL_URL_FILE=str(tmp_path / "mail.txt"),
    )

    assert seen["secret_key"] == "key-from-a-file-" + "y" * 40
    assert seen["db_host"] == "pg.example"
    assert seen["email_password"] == "mailpass"


def test_it_reads_an_smtp_email_url_with_starttls(tmp_path: Path) -> None:
    seen = read_settings(
        tmp_path, GOODWILL_EMAIL_URL="smtp://user%40example.com:p%3Ass@mail.example.com:587?starttls=1"
    )

    assert seen["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert seen["email_host"] == "mail.example.com"
    assert seen["email_port"] == 587
    assert seen["email_user"] == "user@example.com"
    assert seen["email_password"] == "p:ss"
    assert seen["email_tls"] is True
    assert seen["email_ssl"] is False


def test_it_reads_an_smtps_email_url_with_its_default_port(tmp_path: Path) -> None:
    seen = read_settings(tmp_path, GOODWILL_EMAIL_URL="smtps://mail.example.com")

    assert seen["email_port"] == 465
    assert seen["email_ssl"] is True
    assert seen["email_tls"] is False


def test_it_reads_the_console_email_url(tmp_path: Path) -> None:
    seen = read_settings(tmp_path, GOODWILL_EMAIL_URL="console://")

    assert seen["email_backend"] == "django.core.mail.backends.console.EmailBackend"


def test_it_refuses_an_unknown_email_scheme_at_startup(tmp_path: Path) -> None:
    result = run_python("", clean_env(tmp_path, GOODWILL_EMAIL_URL="pigeon://loft"))

    assert result.returncode != 0
    assert "GOODWILL_EMAIL_URL" in result.stderr
    assert "pigeon" in result.stderr


def test_it_accepts_only_true_false_one_zero_for_debug(tmp_path: Path) -> None:
    for raw, expected in (("True", True), ("1", True), ("False", False), ("0", False)):
        assert read_settings(tmp_path, GOODWILL_DEBUG=raw)["debug"] is expected, raw


def test_it_fails_at_startup_on_a_vague_boolean(tmp_path: Path) -> None:
    for raw in ("yes", "on", "2", "true", "no"):
        result = run_python("", clean_env(tmp_path, GOODWILL_DEBUG=raw))

        assert result.returncode != 0, raw
        assert "ImproperlyConfigured" in result.stderr
        assert "GOODWILL_DEBUG must be True/False" in result.stderr
        assert repr(raw) in result.stderr


def test_it_reads_allowed_hosts_as_a_comma_separated_list(tmp_path: Path) -> None:
    seen = read_settings(tmp_path, GOODWILL_ALLOWED_HOSTS=" help.example.com, .example.org ,")

    assert seen["allowed_hosts"] == ["help.example.com", ".example.org"]


def test_it_switches_cache_and_tasks_to_redis(tmp_path: Path) -> None:
    seen = read_settings(tmp_path, GOODWILL_REDIS_URL="redis://127.0.0.1:6379/15")

    assert seen["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["cache_location"] == "redis://127.0.0.1:6379/15"
    assert seen["tasks_backend"] == "django_tasks_rq.RQBackend"
    assert seen["rq_queues"]["default"]["URL"] == "redis://127.0.0.1:6379/15"
    assert "django_rq" in seen["installed_apps"]


def test_the_base_url_sets_trusted_origins_and_secure_cookies(tmp_path: Path) -> None:
    plain = read_settings(tmp_path)
    public = read_settings(tmp_path, GOODWILL_BASE_URL="https://help.example.com/")

    assert plain["secure_cookies"] == [False, False]
    assert public["base_url"] == "https://help.example.com"
    assert public["csrf_trusted_origins"] == ["https://help.example.com"]
    assert public["secure_cookies"] == [True, True]
