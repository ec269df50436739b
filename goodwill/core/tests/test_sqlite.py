"""The one-machine database: SQLite in WAL mode, with writers that queue instead of failing."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from goodwill.core.testing import PYTHON, clean_env, python_json

WRITER = """
import json, sys, time
from pathlib import Path
import django
django.setup()
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation, receive_message
from goodwill.customers.services import find_or_create_customer_by_email

go = Path(sys.argv[1])
writer = sys.argv[2]
go.with_name(f"ready-{writer}").touch()
while not go.exists():
    time.sleep(0.01)
numbers = []
for index in range(int(sys.argv[3])):
    # One address shared by every writer, so they also race to create the same customer.
    customer = find_or_create_customer_by_email("shared@customer.test" if index % 2 else f"{writer}-{index}@customer.test")
    conversation, _ = open_conversation(
        customer=customer, subject=f"{writer} #{index}", channel=Conversation.Channel.EMAIL, text="Hello"
    )
    receive_message(conversation, customer=customer, text="Any news?")
    numbers.append(conversation.number)
print(json.dumps(numbers))
"""


def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout(migrated_data_dir: Path) -> None:
    seen = python_json(
        "import json\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "    c.execute('PRAGMA busy_timeout'); timeout = c.fetchone()[0]\n"
        "    c.execute('PRAGMA foreign_keys'); fks = c.fetchone()[0]\n"
        "print(json.dumps({'mode': mode, 'timeout': timeout, 'fks': fks, 'vendor': connection.vendor}))",
        clean_env(migrated_data_dir),
    )

    assert seen == {"mode": "wal", "timeout": 20000, "fks": 1, "vendor": "sqlite"}
    assert (migrated_data_dir / "goodwill.sqlite3").exists()


def test_concurrent_writers_never_hit_database_is_locked(migrated_data_dir: Path) -> None:
    go = migrated_data_dir / "go"
    per_writer = 12
    env = clean_env(migrated_data_dir)
    writers = [
        subprocess.Popen(
            [PYTHON, "-c", WRITER, str(go), f"w{n}", str(per_writer)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    # Let every interpreter finish importing Django, then release them together.
    ready = [migrated_data_dir / f"ready-w{n}" for n in range(4)]
    deadline = time.monotonic() + 120
    while not all(path.exists() for path in ready):
        assert time.monotonic() < deadline, "the writers did not start within 120 s"
        assert all(writer.poll() is None for writer in writers), [writer.communicate() for writer in writers]
        time.sleep(0.01)
    go.touch()
    outputs = [writer.communicate(timeout=180) for writer in writers]

    for writer, (_stdout, stderr) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, stderr
        assert "database is locked" not in stderr
    numbers = [number for stdout, _ in outputs for number in json.loads(stdout.strip().splitlines()[-1])]
    assert len(numbers) == 4 * per_writer
    assert sorted(numbers) == list(range(1, 4 * per_writer + 1))
    stored = python_json(
        "import json\n"
        "from goodwill.conversations.models import Conversation\n"
        "from goodwill.customers.models import Customer\n"
        "print(json.dumps({'conversations': Conversation.objects.count(),"
        " 'messages': sum(Conversation.objects.values_list('message_count', flat=True)),"
        " 'shared': Customer.objects.with_email('shared@customer.test').count()}))",
        env,
    )
    assert stored == {"conversations": 4 * per_writer, "messages": 2 * 4 * per_writer, "shared": 1}
