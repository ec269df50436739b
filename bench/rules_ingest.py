"""What automation and webhooks cost intake, and what evaluating rules costs the worker.

    .venv/bin/python bench/rules_ingest.py [--messages 400]

Uses its own fresh database: SQLite in $GOODWILL_DATA_DIR (default /tmp/goodwill-bench-rules,
emptied first), or PostgreSQL when GOODWILL_DATABASE_URL is set (flushed first). A realistic
rule set (12 event rules, 2 time rules, 2 webhooks, a round-robin team) is loaded, then:

  intake   per message: `open_conversation` / `receive_message` (the services every door
           calls) including the commit that queues the seam's tasks, with the seam's table
           as it is in goodwill/subscribers.py, and without the automation and webhook entries.
           Rules run in the worker, so the difference is only the queued tasks.
  worker   per event: the automation subscriber (assignment, every event rule's conditions
           and the actions of those that match, one delivery row per listening webhook), in
           its own transaction with its receipt, as the worker runs it.
  time     one sweep of the time rules over the open conversations made above.

Target (issue 16): rules add at most 5 ms p95 to intake per message.

On SQLite it also reports the intake calls during which a WAL checkpoint ran (read from the
`-shm` file: `nBackfill`, the frames copied back, grew during the call), with their p50/p95,
and the WAL file's size at the end. `--checkpointer` runs the worker's checkpoint thread
(`core.checkpoints.Checkpointer`) in this process, as a running `goodwill worker` does; set
GOODWILL_SQLITE_AUTOCHECKPOINT=1000 to measure SQLite's default, checkpoints inside commits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GOODWILL_DATA_DIR", "/tmp/goodwill-bench-rules")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
if not os.environ.get("GOODWILL_DATABASE_URL"):
    shutil.rmtree(os.environ["GOODWILL_DATA_DIR"], ignore_errors=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from goodwill.accounts.models import Team  # noqa: E402
from goodwill.accounts.services import add_to_team, create_or_update_agent  # noqa: E402
from goodwill.automation.engine import run_time_rules  # noqa: E402
from goodwill.automation.models import AssignmentPolicy, Rule  # noqa: E402
from goodwill.conversations.models import ContactReason, Conversation  # noqa: E402
from goodwill.conversations.services import open_conversation, receive_message  # noqa: E402
from goodwill.core.events import run_subscriber, subscribed  # noqa: E402
from goodwill.core.models import Event  # noqa: E402
from goodwill.customers.services import create_customer  # noqa: E402
from goodwill.subscribers import SUBSCRIBERS  # noqa: E402
from goodwill.webhooks.models import Webhook  # noqa: E402

AUTOMATION = "goodwill.automation.subscribers.react"
TEXTS = [
    "My order 1042 has not arrived and tracking says nothing.",
    "I want a refund for the broken lamp, this is the third time I write!",
    "Could you tell me when the shop opens on Saturday? Thanks.",
    "The invoice charges me twice for the same month.",
]


def rule_set(team: Team) -> None:
    need = ContactReason.objects.create(name="Refund")
    created, updated, replied = ["created"], ["updated"], ["customer_replied"]
    rules = [
        (
            "Refunds",
            created,
            [{"field": "text", "op": "contains", "value": "refund | money back"}],
            [{"type": "set_need", "value": need.name}, {"type": "set_priority", "value": "3"}],
        ),
        (
            "Angry",
            created + replied,
            [{"field": "sentiment", "op": "less_than", "value": "-0.5"}],
            [{"type": "add_tags", "value": "upset"}],
        ),
        (
            "VIP",
            created,
            [{"field": "customer_email", "op": "contains", "value": "@vip.example"}],
            [{"type": "set_priority", "value": "4"}],
        ),
        (
            "Invoices",
            created,
            [{"field": "subject", "op": "contains", "value": "invoice"}],
            [{"type": "add_tags", "value": "billing"}],
        ),
        (
            "Out of hours",
            created,
            [{"field": "business_hours", "op": "is", "value": "outside"}],
            [{"type": "add_tags", "value": "after-hours"}],
        ),
        (
            "German",
            created,
            [{"field": "customer_language", "op": "is", "value": "de"}],
            [{"type": "add_tags", "value": "de"}],
        ),
        (
            "Reply reopens",
            replied,
            [{"field": "status", "op": "is", "value": "pending"}],
            [{"type": "set_status", "value": "open"}],
        ),
        (
            "Urgent to lead",
            updated,
            [{"field": "priority", "op": "is", "value": "4"}],
            [{"type": "notify", "value": "team leads"}],
        ),
        (
            "Tagged legal",
            updated,
            [{"field": "tags", "op": "contains", "value": "legal"}],
            [{"type": "assign_team", "value": team.name}],
        ),
        (
            "Plan gold",
            created,
            [{"field": "custom_field", "op": "is", "value": "plan=gold"}],
            [{"type": "set_priority", "value": "3"}],
        ),
        (
            "Organisation",
            created,
            [{"field": "organisation", "op": "is", "value": "Acme"}],
            [{"type": "add_tags", "value": "acme"}],
        ),
        (
            "Email only",
            created,
            [{"field": "channel", "op": "is", "value": "portal"}],
            [{"type": "add_tags", "value": "portal"}],
        ),
    ]
    for position, (name, triggers, conditions, actions) in enumerate(rules):
        Rule.objects.create(
            name=name,
            position=position,
            triggers=triggers,
            conditions=conditions,
            actions=actions,
            is_active=True,
            hours_days=[0, 1, 2, 3, 4],
        )
    Rule.objects.create(
        name="Pending 5 days",
        kind="time",
        is_active=True,
        conditions=[
            {"field": "status", "op": "is", "value": "pending"},
            {"field": "hours_since_status", "op": "more_than", "value": "120"},
        ],
        actions=[{"type": "set_status", "value": "solved"}],
    )
    Rule.objects.create(
        name="No answer a day",
        kind="time",
        is_active=True,
        conditions=[
            {"field": "status", "op": "is", "value": "new"},
            {"field": "hours_since_created", "op": "more_than", "value": "24"},
        ],
        actions=[{"type": "notify", "value": "team leads"}],
    )
    Webhook.objects.create(name="CRM", url="http://127.0.0.1:9/", topics=["conversation.solved"])
    Webhook.objects.create(
        name="Data", url="http://127.0.0.1:9/", topics=["conversation.opened", "message.received"]
    )
    AssignmentPolicy.objects.create(team=team, max_open=50)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"


def wal_backfilled() -> int | None:
    """Frames copied back by checkpoints so far in this WAL (SQLite's WalCkptInfo.nBackfill)."""
    if connection.vendor != "sqlite":
        return None
    path = f"{connection.settings_dict['NAME']}-shm"
    try:
        with open(path, "rb") as shm:
            shm.seek(96)  # after the two 48-byte copies of the wal-index header
            return int(struct.unpack("=I", shm.read(4))[0])
    except (OSError, struct.error):
        return None


def checkpoint_report(label: str, samples: list[float], during: list[bool]) -> None:
    hit = [ms for ms, flag in zip(samples, during, strict=True) if flag]
    rest = [ms for ms, flag in zip(samples, during, strict=True) if not flag]
    line = f"    with a WAL checkpoint inside: {len(hit)} of {len(samples)} calls"
    if hit:
        line += f" (p50 {statistics.median(hit):.2f} ms, max {max(hit):.2f} ms)"
    if rest:
        line += f"; the others {percentiles(rest)}"
    print(f"  {label}{line}", flush=True)


def intake(messages: int, team: Team, without: dict[str, tuple[str, ...]]) -> None:
    """Half new conversations, half replies, alternating the seam's table message by message
    (with, without automation and webhooks) so both see the same database and machine load."""
    customers = [create_customer(name=f"Customer {n}", emails=[f"c{n}@example.com"]) for n in range(20)]
    samples: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    during: dict[bool, list[bool]] = {True: [], False: []}
    made: list[int] = []
    for n in range(messages * 2):
        customer = customers[n % len(customers)]
        text = TEXTS[n % len(TEXTS)]
        with_rules = n % 2 == 0
        conversation = Conversation.objects.get(pk=made[-1]) if made and (n // 2) % 2 else None
        with subscribed(SUBSCRIBERS if with_rules else without):
            backfilled = wal_backfilled()
            started, started_cpu = time.perf_counter(), time.process_time()
            if conversation is None:
                made.append(
                    open_conversation(
                        customer=customer, subject=f"Question {n}", channel="email", text=text, team=team
                    )[0].pk
                )
            else:
                receive_message(conversation, customer=conversation.customer, text=text)
            samples[with_rules].append((time.perf_counter() - started) * 1000)
            cpu[with_rules].append((time.process_time() - started_cpu) * 1000)
            after = wal_backfilled()
            during[with_rules].append(backfilled is not None and after is not None and after > backfilled)
    print(f"  intake without automation/webhooks   {percentiles(samples[False])}", flush=True)
    print(f"    CPU of this process                {percentiles(cpu[False])}", flush=True)
    enqueue: list[float] = []
    for _n in range(100):  # what one more subscriber adds: its task, queued in a commit of its own
        started = time.perf_counter()
        run_subscriber.enqueue("goodwill.automation.subscribers.react", [0])
        enqueue.append((time.perf_counter() - started) * 1000)
    DBTaskResult.objects.filter(args_kwargs__args=["goodwill.automation.subscribers.react", [0]]).delete()
    print(f"  one queued task (what a subscriber adds) {percentiles(enqueue)}", flush=True)
    print(f"  intake with 12 rules, 2 webhooks     {percentiles(samples[True])}", flush=True)
    print(f"    CPU of this process                {percentiles(cpu[True])}", flush=True)
    if connection.vendor == "sqlite":
        checkpoint_report("without: ", samples[False], during[False])
        checkpoint_report("with:    ", samples[True], during[True])
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        print(
            f"  WAL file at the end: {size / 1e6:.1f} MB; load average {os.getloadavg()[0]:.1f}", flush=True
        )


def worker(path: str) -> list[float]:
    """Run the queued tasks of one subscriber event by event; ms per event."""
    samples = []
    for task in DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by(
        "enqueued_at"
    ):
        handler, ids = task.args_kwargs["args"]
        if handler != path:
            continue
        for event_id in ids:
            started = time.perf_counter()
            run_subscriber.call(path, [event_id])
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument(
        "--checkpointer",
        action="store_true",
        help="run the worker's WAL checkpoint thread meanwhile (SQLite)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.checkpointer and connection.vendor == "sqlite":
        from goodwill.core.checkpoints import Checkpointer

        Checkpointer().start()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_autocheckpoint")
            print(
                f"wal_autocheckpoint {cursor.fetchone()[0]} pages; checkpointer {'on' if args.checkpointer else 'off'}"
            )
    if connection.vendor == "postgresql":
        call_command("flush", "--noinput", verbosity=0)
    print(
        f"database: {connection.vendor}, {args.messages} messages per run; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    team = Team.objects.create(name="Support", slug="support")
    for name in ("ann", "ben", "cat", "dan"):
        add_to_team(create_or_update_agent(f"{name}@example.com", name=name, role="agent")[0], team)
    rule_set(team)
    without = {
        topic: tuple(path for path in paths if path != AUTOMATION) for topic, paths in SUBSCRIBERS.items()
    }
    intake(args.messages, team, without)
    print(f"  worker per event (assignment, rules, webhooks) {percentiles(worker(AUTOMATION))}", flush=True)
    print(f"  events recorded: {Event.objects.count()}", flush=True)
    Conversation.objects.filter(pk__in=Conversation.objects.order_by("pk").values("pk")[:50]).update(
        status="pending"
    )
    started = time.perf_counter()
    result = run_time_rules(timezone.now() + timezone.timedelta(days=6))
    print(
        f"  time rules sweep over {Conversation.objects.open().count()} open conversations: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms ({result})",
        flush=True,
    )


if __name__ == "__main__":
    main()
