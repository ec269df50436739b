"""SQLite WAL checkpoints run in the worker, not inside request commits, and keep the WAL bounded.

Real SQLite files (a migrated data folder) in separate processes, as an operator runs them.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from goodwill.core.testing import GOODWILL, clean_env, python_json

WRITE_AND_CHECKPOINT = """
import json
from pathlib import Path
from django.db import connection
from goodwill.core.checkpoints import Checkpointer
from goodwill.core.models import Counter

wal = Path(connection.settings_dict["NAME"] + "-wal")
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_autocheckpoint")
    autocheckpoint = cursor.fetchone()[0]

def write(rounds):
    for n in range(rounds):
        Counter.objects.update_or_create(name=f"c{n}", defaults={"value": n})

checkpointer = Checkpointer(every=60)  # stepped by hand below, not started
write(300)
grown = wal.stat().st_size
first = checkpointer.step(None)           # copies every frame back; nothing waits on it
write(300)                                # a complete checkpoint lets writers start over
again = wal.stat().st_size
second = checkpointer.step(first)
idle = checkpointer.step(second)          # nothing written since: the file is truncated
print(json.dumps({
    "autocheckpoint": autocheckpoint, "grown": grown, "again": again, "first": first,
    "second": second, "idle": idle, "truncated": checkpointer.truncated, "after": wal.stat().st_size,
}))
"""


def test_checkpoints_copy_the_wal_back_keep_it_bounded_and_truncate_it_when_idle(
    migrated_data_dir: Path,
) -> None:
    seen = python_json(WRITE_AND_CHECKPOINT, clean_env(migrated_data_dir))
    assert isinstance(seen, dict)
    assert seen["autocheckpoint"] == 10000  # the automatic one inside a commit is a safety net
    busy, log, done = seen["first"]
    assert busy == 0 and log > 0 and done == log  # every frame copied back
    assert seen["again"] <= seen["grown"]  # the second round reused the log from its start
    assert seen["second"][0] == 0 and seen["second"][1] == seen["second"][2]
    assert seen["truncated"] == 1 and seen["after"] == 0


def test_the_worker_checkpoints_the_wal_of_a_quiet_database(migrated_data_dir: Path, tmp_path: Path) -> None:
    env = clean_env(migrated_data_dir, GOODWILL_SQLITE_CHECKPOINT_SECONDS="0.2")
    wal = migrated_data_dir / "goodwill.sqlite3-wal"
    # A writer that stays connected (closing the last connection would checkpoint by itself).
    writer = sqlite3.connect(migrated_data_dir / "goodwill.sqlite3", isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE scratch (n INTEGER)")
    for n in range(200):
        writer.execute("INSERT INTO scratch VALUES (?)", (n,))
    assert wal.stat().st_size > 0
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [GOODWILL, "worker", "--interval", "0.2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while wal.exists() and wal.stat().st_size > 0:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not checkpoint the WAL"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        writer.close()
