"""Import speed: a synthetic Zendesk JSON export imported with `goodwill import --from zendesk`.

Generates (deterministically) an export the shape of Zendesk's full JSON export:
organizations.json, users.json and tickets.json (newline-delimited, comments embedded;
some HTML bodies, internal notes, tags, custom fields, email Message-IDs), migrates a
fresh SQLite data dir and times the import, then a second run (which must import
nothing). Prints wall and CPU seconds, rows per second and the load average.
Goal: 100,000 conversations with 400,000 messages in under 10 minutes on SQLite.

Usage: .venv/bin/python bench/import.py [--conversations N] [--messages-per 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kemi", "Lena"]
LAST = ["Smith", "Müller", "García", "Okafor", "Dubois", "Nakamura", "Rossi", "Novak", "Larsen", "Silva"]
SUBJECTS = [
    "Order {n} has not arrived",
    "Invoice {n} is wrong",
    "Cannot log in",
    "Refund for order {n}",
    "Question about pricing",
    "Broken lamp, order {n}",
]
BODIES = [
    "I ordered on Monday and the parcel has still not arrived. Tracking says nothing since Tuesday.",
    "The invoice charges me twice for the same subscription month. Please correct it and send a new one.",
    "Thank you for the quick answer, that solved it!",
    "It still does not work, I tried again this morning after clearing the cache.",
    "We have sent a replacement today; you should have it by Friday. Sorry for the trouble.",
    "Customer called, promised a call back tomorrow before noon.",
]
STATUSES = ["solved"] * 5 + ["closed"] * 3 + ["open", "pending", "hold", "new"]


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def generate(folder: Path, conversations: int, per: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    customers = max(10, conversations // 4)
    agents = 40
    with (folder / "organizations.json").open("w") as out:
        for n in range(1, 501):
            out.write(
                json.dumps(
                    {"id": n, "name": f"Company {n}", "domain_names": [f"company{n}.example"], "notes": ""}
                )
                + "\n"
            )
    with (folder / "users.json").open("w") as out:
        for n in range(1, agents + 1):
            out.write(
                json.dumps(
                    {
                        "id": 900000 + n,
                        "name": f"Agent {n}",
                        "email": f"agent{n}@helpdesk.example",
                        "role": "admin" if n == 1 else "agent",
                        "iana_time_zone": "Europe/Berlin",
                    }
                )
                + "\n"
            )
        for n in range(1, customers + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            out.write(
                json.dumps(
                    {
                        "id": n,
                        "name": name,
                        "email": f"customer{n}@mail{n % 97}.example",
                        "role": "end-user",
                        "organization_id": rng.randint(1, 500) if n % 3 == 0 else None,
                        "locale": "en",
                    }
                )
                + "\n"
            )
    start = time.time() - 400 * 86400
    comment_id = 1
    with (folder / "tickets.json").open("w") as out:
        for n in range(1, conversations + 1):
            created = start + n * (400 * 86400 / conversations)
            requester = rng.randint(1, customers)
            agent = 900000 + rng.randint(1, agents)
            comments = []
            for k in range(per):
                from_customer = k % 2 == 0
                body = rng.choice(BODIES)
                comments.append(
                    {
                        "id": comment_id,
                        "type": "Comment",
                        "author_id": requester if from_customer else agent,
                        "body": body,
                        "plain_body": body,
                        "html_body": f'<div class="zd-comment"><p>{body}</p></div>' if k % 3 == 0 else "",
                        "public": not (k == per - 1 and n % 5 == 0),
                        "attachments": [],
                        "metadata": {
                            "system": {"message_id": f"<c{comment_id}@mail.example>"} if from_customer else {}
                        },
                        "created_at": iso(created + k * 3600),
                    }
                )
                comment_id += 1
            out.write(
                json.dumps(
                    {
                        "id": n,
                        "subject": rng.choice(SUBJECTS).format(n=10000 + n),
                        "status": rng.choice(STATUSES),
                        "priority": rng.choice(["low", "normal", "normal", "high", "urgent", None]),
                        "requester_id": requester,
                        "assignee_id": agent,
                        "tags": rng.sample(["billing", "shipping", "vip", "bug", "refund"], 2),
                        "custom_fields": [{"id": 360001, "value": f"SKU-{n % 300}"}],
                        "via": {"channel": "email"},
                        "created_at": iso(created),
                        "updated_at": iso(created + per * 3600),
                        "comments": comments,
                    }
                )
                + "\n"
            )


def goodwill(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per", type=int, default=4)
    parser.add_argument("--keep", help="Use (and keep) this folder instead of a temporary one.")
    options = parser.parse_args()
    folder = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="goodwill-import-bench-"))
    export, data = folder / "zendesk", folder / "data"
    export.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(export, options.conversations, options.messages_per)
    print(
        f"generated {options.conversations:,} tickets x {options.messages_per} comments in {time.perf_counter() - started:.1f} s "
        f"({sum(p.stat().st_size for p in export.iterdir()) / 1e6:.0f} MB)"
    )
    env = {**os.environ, "GOODWILL_DATA_DIR": str(data)}
    env.pop("GOODWILL_DATABASE_URL", None)
    goodwill(env, "migrate", "--verbosity", "0")
    load_before = os.getloadavg()
    wall, cpu, out = goodwill(env, "import", str(export), "--from", "zendesk")
    load_after = os.getloadavg()
    report = json.loads(out.strip().splitlines()[-1])
    imported = report["imported"]
    messages = imported.get("messages", 0) + imported.get("internal_notes", 0)
    print(
        f"import: {imported.get('conversations', 0):,} conversations, {messages:,} messages in {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU ({imported.get('conversations', 0) / wall:,.0f} conversations/s, {messages / wall:,.0f} messages/s)"
    )
    print(f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f}")
    print(
        f"goal: under 600 s for 100,000 conversations and 400,000 messages: {'met' if wall < 600 else 'NOT met'}"
    )
    wall2, cpu2, out2 = goodwill(env, "import", str(export), "--from", "zendesk")
    again = json.loads(out2.strip().splitlines()[-1])["imported"]
    print(
        f"second run: {again.get('conversations', 0)} imported, {again.get('already_imported', 0):,} already there, "
        f"{wall2:.1f} s wall, {cpu2:.1f} s CPU"
    )


if __name__ == "__main__":
    main()
