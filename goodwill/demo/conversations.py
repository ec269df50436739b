"""Rows for the demo's conversations, their messages, timeline events and tags.

Pure Python, no database access, so a forked process can run it while the main one
inserts (`bulk.from_child_process`). Every draw comes from the one seeded `Dice` in a
fixed order: the same seed gives the same data set only while that order stays, so an
edit that adds, drops or moves a draw changes every conversation after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from goodwill.demo import content as c
from goodwill.demo.basics import DAY, HISTORY_DAYS, Dice
from goodwill.demo.bulk import Batch
from goodwill.demo.people import Customers
from goodwill.demo.staff import Person, Staff
from goodwill.demo.timeline import EventIds, add_conversation_events
from goodwill.demo.writer import TimeFormat

LONG_THREAD = 50  # messages in the conversation that page benchmarks open

# (time, direction, kind, author agent id, text, new text, channel, Message-ID, delivery)
Said = tuple[int, str, str, int | None, str, str, str, str, str]

_NUDGES = (
    "Any update on this?",
    "Is there any news?",
    "Hello? Anyone?",
    "I'm still waiting for an answer.",
    "Thanks, one more question.",
)
_STILL_ON_IT = "Just a quick update: I'm still on this and will write again as soon as I hear back."


@dataclass(slots=True)
class _Topic:
    """What one conversation is about, who handles it, and where it stands."""

    number: int
    need_id: int
    parent: str
    leaf: str
    openings: tuple[str, ...]
    answers: tuple[str, ...]
    followups: tuple[str, ...]
    mood: str
    channel: str
    team_id: int
    status: str
    assignee: Person
    ctx: dict[str, Any]  # the values the text templates fill in
    subject: str
    priority: int


@dataclass(slots=True)
class _Outcome:
    solved_at: int | None
    closed_at: int | None
    waiting_since: int | None
    assignee_id: int | None
    need_met: str
    need_id: int | None
    fields: dict[str, object]


class ConversationRows:
    """Generates `total` conversations spread over the last `HISTORY_DAYS` before `anchor`.

    Conversation `index` gets the id `conversation_base + index + 1` and the number
    `number_base + index + 1`; messages and events are numbered on from their bases.
    """

    def __init__(
        self,
        *,
        rng: Dice,
        fmt: TimeFormat,
        anchor: int,
        total: int,
        batch_size: int,
        staff: Staff,
        customers: Customers,
        events: EventIds,
        conversation_base: int,
        message_base: int,
        number_base: int,
    ) -> None:
        self.rng = rng
        self.fmt = fmt
        self.anchor = anchor
        self.total = total
        self.batch_size = batch_size
        self.staff = staff
        self.customers = customers
        self.events = events
        self.conversation_base = conversation_base
        self.message_id = message_base
        self.number_base = number_base
        self.long_index = max(0, total - 1 - total // 200)
        self.long_conversation = 0  # its number, once generated
        self.product_names = [name for name, _ in c.PRODUCTS]
        self.product_weights = list(accumulate(weight for _, weight in c.PRODUCTS))
        self._entries: dict[tuple[str, str], tuple[Any, ...]] = {}

    def batches(self) -> Iterator[Batch]:
        """The rows of `batch_size` conversations at a time, oldest first."""
        total = self.total
        n_customers = len(self.customers)
        span = HISTORY_DAYS * DAY
        for start in range(0, total, self.batch_size):
            batch = Batch([], [], [], [], {})
            for index in range(start, min(start + self.batch_size, total)):
                opened = (
                    self.anchor - span + (index * span) // total + self.rng.randrange(max(1, span // total))
                )
                # Returning customers: a skewed pick so some customers have many conversations.
                customer_index = int(n_customers * (self.rng.random() ** 1.5))
                self._conversation(index, opened, customer_index, batch)
            batch.state.update(event_id=self.events.last, long_conversation=self.long_conversation)
            yield batch

    def _conversation(self, index: int, opened: int, customer_index: int, batch: Batch) -> None:
        rng, fmt = self.rng, self.fmt
        conversation_id = self.conversation_base + index + 1
        number = self.number_base + index + 1
        customer_id = self.customers.base + customer_index + 1
        long_thread = index == self.long_index or (index % 25_000 == 12_345)
        topic = self._topic(index, number, opened, customer_index, long_thread)
        public, notes = self._shape(topic, long_thread)
        if topic.status == "new":
            inbound_flags = [True] * public
        else:
            inbound_flags = [position % 2 == 0 for position in range(public)]
        times = self._times(opened, public, inbound_flags)
        limit = self.anchor - 60
        logger = topic.assignee if topic.channel in ("phone", "walk_in") else None
        rows, first_response, last_inbound_at, waiting_since = self._thread(
            topic, times, inbound_flags, customer_index, long_thread, logger
        )
        self._add_notes(rows, topic, times, notes, limit)
        rows.sort(key=lambda row: row[0])
        outcome = self._outcome(topic, times[-1], waiting_since, limit)
        updated = max(rows[-1][0], outcome.closed_at or outcome.solved_at or 0)
        opened_text = fmt(opened)
        batch.conversations.append(
            (
                conversation_id,
                number,
                topic.subject,
                topic.status,
                topic.priority,
                topic.channel,
                customer_id,
                outcome.assignee_id,
                topic.team_id,
                json.dumps(outcome.fields),
                outcome.need_id,
                outcome.need_met,
                None,
                len(rows),
                fmt(times[-1]),
                fmt(last_inbound_at),
                fmt(first_response),
                fmt(outcome.waiting_since),
                fmt(outcome.solved_at),
                fmt(outcome.closed_at),
                opened_text,
                fmt(updated),
            )
        )
        add_conversation_events(
            batch.events,
            self.events,
            fmt,
            conversation_id=conversation_id,
            customer_id=customer_id,
            channel=topic.channel,
            subject=topic.subject,
            opened_text=opened_text,
            logged_by=logger[0] if logger else None,
            assignee=(outcome.assignee_id, topic.assignee[1]),
            assigned_at=times[0] + 60,
            solved_at=outcome.solved_at,
            need_met=outcome.need_met,
            closed_at=outcome.closed_at,
        )
        self._add_message_rows(batch.messages, rows, conversation_id, customer_id)
        if rng.random() < 0.35:
            for tag_id in sorted(set(rng.sample(self.staff.tags, 1 if rng.random() < 0.7 else 2))):
                batch.tags.append((conversation_id, tag_id))
        if index == self.long_index:
            self.long_conversation = number

    def _topic(self, index: int, number: int, opened: int, customer_index: int, long_thread: bool) -> _Topic:
        """The need, mood, channel, status, assignee, subject and priority of one conversation."""
        rng, staff = self.rng, self.staff
        need_id, parent, leaf = staff.needs[0] if long_thread else rng.choice(staff.needs)
        _p, _l, _k, subjects, openings, answers, followups = self._taxonomy_entry(parent, leaf)
        mood = rng.choice(c.MOODS)
        if parent == "Complaint":
            mood = rng.choice(("frustrated", "angry", "angry"))
        elif parent == "Feedback" and leaf == "Praise":
            mood = "delighted"
        team_id = staff.team_of_parent.get(parent, staff.support_id)
        channel = _channel(rng.random())
        if long_thread:
            channel, team_id, mood = "email", staff.support_id, "frustrated"
        status = _status((self.anchor - opened) / DAY, rng.random())
        if long_thread:
            status = "open"
        assignee = rng.weighted(staff.repliers[team_id], staff.replier_weights[team_id])
        if index == self.long_index:
            assignee = staff.demo_agent
        ctx = {
            "order": f"GW-{100000 + (number * 7919) % 900000}",
            "product": rng.weighted(self.product_names, self.product_weights),
            "amount": f"${rng.randrange(8, 400)}.{rng.choice(('00', '50', '99', '95', '20'))}",
            "invoice": f"INV-{(self.fmt(opened) or '')[:4]}-{number % 100000:05d}",
            "plan": rng.choice(c.PLANS),
            "days": rng.randrange(3, 21),
            "weekday": rng.choice(c.WEEKDAYS),
            "name": self.customers.greeting[customer_index],
            "agent": assignee[1].split()[0],
        }
        subject = rng.choice(subjects).format(**ctx)
        return _Topic(  # positional, in field order: a keyword call costs a microsecond more
            number,
            need_id,
            parent,
            leaf,
            openings,
            answers,
            followups,
            mood,
            channel,
            team_id,
            status,
            assignee,
            ctx,
            subject,
            _priority(rng, mood),
        )

    def _shape(self, topic: _Topic, long_thread: bool) -> tuple[int, int]:
        """How many public messages (alternating, the customer first) and internal notes."""
        rng, status, channel = self.rng, topic.status, topic.channel
        if status == "new":
            public = 1 if rng.random() < 0.85 else 2
        else:
            if long_thread:
                public = LONG_THREAD - 7  # odd: the customer wrote last and is waiting
            elif channel in ("phone", "walk_in"):
                public = rng.choice((1, 2, 2, 3))
            else:
                roll = rng.random()
                public = (
                    2
                    if roll < 0.3
                    else 3
                    if roll < 0.55
                    else 4
                    if roll < 0.72
                    else 5
                    if roll < 0.82
                    else rng.randrange(6, 9)
                    if roll < 0.95
                    else rng.randrange(9, 15)
                )
            if long_thread:
                last_inbound = True
            elif status == "open":
                last_inbound = rng.random() < 0.7
            elif status in ("solved", "closed"):
                last_inbound = rng.random() < 0.2
            else:
                last_inbound = False
            public = max(public, 2)
            if (public % 2 == 1) != last_inbound:
                public += 1
        notes = 7 if long_thread else (1 if rng.random() < 0.2 else 0) + (1 if rng.random() < 0.05 else 0)
        if status == "on_hold" and not notes:
            notes = 1
        return public, notes

    def _times(self, opened: int, public: int, inbound_flags: list[bool]) -> list[int]:
        """Agents answer in hours, customers in hours to days; squeezed to end before the anchor."""
        rng = self.rng
        times = [opened]
        for position in range(1, public):
            gap = rng.expovariate(1 / 72000) if inbound_flags[position] else rng.expovariate(1 / 10800)
            times.append(times[-1] + 120 + int(min(gap, 3 * DAY)))
        limit = self.anchor - 60
        if times[-1] > limit:
            room = int(max(limit - opened, public) * rng.uniform(0.2, 1.0))
            used = max(times[-1] - opened, 1)
            times = [opened + (t - opened) * room // used for t in times]
        return times

    def _thread(
        self,
        topic: _Topic,
        times: list[int],
        inbound_flags: list[bool],
        customer_index: int,
        long_thread: bool,
        logger: Person | None,
    ) -> tuple[list[Said], int | None, int, int | None]:
        """The public messages, and (first response, last inbound, waiting since) in epoch seconds."""
        email_domain = self.customers.domain[customer_index]
        first_name = self.customers.first[customer_index]
        logged_by = logger[0] if logger else None
        first_response = None
        last_inbound_at = times[0]
        waiting_since: int | None = None
        rows: list[Said] = []
        last_outbound_text = ""
        for position, at in enumerate(times):
            if inbound_flags[position]:
                last_inbound_at = at
                if waiting_since is None:
                    waiting_since = at
                if position == 0:
                    kind, text, new_text = self._customer_opens(topic, first_name)
                else:
                    kind, text, new_text = self._customer_follows_up(
                        topic, first_name, long_thread, last_outbound_text, times[position - 1]
                    )
                channel = "email" if topic.channel == "webform" and position else topic.channel
                message_id = f"<{topic.number}.{position}@{email_domain}>" if channel == "email" else ""
                rows.append((at, "in", kind, logged_by, text, new_text, channel, message_id, ""))
            else:
                waiting_since = None
                if first_response is None:
                    first_response = at
                row = self._agent_replies(topic, position, at)
                last_outbound_text = row[4]
                rows.append(row)
        return rows, first_response, last_inbound_at, waiting_since

    def _customer_opens(self, topic: _Topic, first_name: str) -> tuple[str, str, str]:
        """The first message: (kind, text, new text). A call or visit is logged by the agent."""
        rng, ctx, mood = self.rng, topic.ctx, topic.mood
        body = rng.choice(topic.openings).format(**ctx)
        opener = rng.choice(c.MOOD_OPENERS[mood])
        closer = rng.choice(c.MOOD_CLOSERS[mood])
        if topic.channel == "phone":
            text = rng.choice(c.PHONE_LOGS).format(body=f'"{opener}{body}"', **ctx)
            return "phone", text, text
        if topic.channel == "walk_in":
            text = rng.choice(c.WALK_IN_LOGS).format(body=f'"{opener}{body}"', **ctx)
            return "walk_in", text, text
        text = f"Hello,\n\n{opener}{body}\n\n{closer}\n{first_name}"
        return "reply", text, text

    def _customer_follows_up(
        self, topic: _Topic, first_name: str, long_thread: bool, last_outbound_text: str, replied_at: int
    ) -> tuple[str, str, str]:
        """A later customer message: (kind, text, new text); an email may quote the last reply."""
        rng, ctx, channel = self.rng, topic.ctx, topic.channel
        said = rng.choice(topic.followups).format(**ctx)
        if long_thread or rng.random() < 0.15:
            said = rng.choice(_NUDGES)
        if topic.mood == "angry" and rng.random() < 0.4:
            said = said.upper() + "!!!"
        if channel in ("phone", "walk_in"):
            text = f'Customer {"called again" if channel == "phone" else "came back"}: "{said}"'
            return channel, text, text
        new_text = f"{said}\n\n{first_name}"
        if last_outbound_text and rng.random() < 0.45:
            quoted = "\n".join("> " + line for line in last_outbound_text.splitlines()[:4])
            when = self.fmt(replied_at)
            return "reply", f"{new_text}\n\nOn {when}, {ctx['agent']} wrote:\n{quoted}", new_text
        return "reply", new_text, new_text

    def _agent_replies(self, topic: _Topic, position: int, at: int) -> Said:
        rng, ctx, channel = self.rng, topic.ctx, topic.channel
        greeting = rng.choice(c.GREETINGS).format(**ctx)
        empathy = rng.choice(c.AGENT_EMPATHY[topic.mood]) if position == 1 else ""
        answer = (
            rng.choice(topic.answers).format(**ctx) if position < 4 or rng.random() < 0.5 else _STILL_ON_IT
        )
        text = f"{greeting}\n\n{empathy}{answer}\n\n{rng.choice(c.AGENT_SIGNOFFS).format(**ctx)}"
        delivery = "sent" if channel in ("email", "webform", "portal") else ""
        message_id = f"<gw.{topic.number}.{position}@goodwill.example>" if delivery else ""
        return (at, "out", "reply", topic.assignee[0], text, text, channel, message_id, delivery)

    def _add_notes(self, rows: list[Said], topic: _Topic, times: list[int], notes: int, limit: int) -> None:
        """Internal notes a little after a public message; the light agent writes some on support."""
        rng, staff = self.rng, self.staff
        for _ in range(notes):
            after = rng.randrange(len(times))
            at = times[after] + 30 + rng.randrange(600)
            if at > limit:
                at = limit
            light = topic.team_id == staff.support_id and rng.random() < 0.3
            author = staff.light if light else topic.assignee
            text = rng.choice(c.NOTES).format(**{**topic.ctx, "agent": author[1].split()[0]})
            rows.append((at, "internal", "note", author[0], text, text, topic.channel, "", ""))

    def _outcome(self, topic: _Topic, public_last: int, waiting_since: int | None, limit: int) -> _Outcome:
        """Solved and closed times, the assignee and need (a new one may have neither), custom fields."""
        rng, status, parent, leaf = self.rng, topic.status, topic.parent, topic.leaf
        solved_at = closed_at = None
        if status in ("solved", "closed"):
            waiting_since = None
            solved_at = min(public_last + 600 + rng.randrange(7200), limit)
            if status == "closed":
                closed_at = min(solved_at + 4 * DAY, limit)
        elif status in ("pending", "on_hold"):
            waiting_since = None
        assignee_id: int | None = topic.assignee[0]
        if status == "new" and rng.random() < 0.7:
            assignee_id = None
        need_met = ""
        if status in ("solved", "closed"):
            roll = rng.random()
            need_met = "yes" if roll < 0.72 else "partly" if roll < 0.87 else "no"
        need_id: int | None = topic.need_id
        if status == "new" and rng.random() < 0.4:
            need_id = None
        fields: dict[str, object] = {}
        if parent in ("Orders", "Complaint") or leaf in ("Refund", "Double charge"):
            fields["order_number"] = topic.ctx["order"]
        if parent in ("Billing", "Account"):
            fields["plan"] = topic.ctx["plan"]
        if topic.channel == "phone":
            fields["callback_requested"] = rng.random() < 0.3
        return _Outcome(solved_at, closed_at, waiting_since, assignee_id, need_met, need_id, fields)

    def _add_message_rows(
        self, out: list[tuple[Any, ...]], rows: list[Said], conversation_id: int, customer_id: int
    ) -> None:
        """`bulk.MESSAGE_COLUMNS` rows, numbered on from the last message id."""
        fmt = self.fmt
        message_id = self.message_id
        for at, direction, kind, author, text, new_text, channel, header_id, delivery in rows:
            message_id += 1
            out.append(
                (
                    message_id,
                    conversation_id,
                    direction,
                    kind,
                    channel,
                    author,
                    customer_id if direction == "in" else None,
                    text,
                    new_text,
                    "",
                    header_id,
                    "",
                    delivery,
                    "",
                    fmt(at),
                )
            )
        self.message_id = message_id

    def _taxonomy_entry(self, parent: str, leaf: str) -> tuple[Any, ...]:
        key = (parent, leaf)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = next(e for e in c.TAXONOMY if e[0] == parent and e[1] == leaf)
        return entry


def _channel(roll: float) -> str:
    if roll < 0.55:
        return "email"
    if roll < 0.68:
        return "portal"
    if roll < 0.8:
        return "webform"
    return "phone" if roll < 0.94 else "walk_in"


def _status(age_days: float, roll: float) -> str:
    """Old conversations are mostly finished; the last few days are still moving."""
    table: tuple[tuple[str, float], ...]
    if age_days > 14:
        table = (("closed", 0.55), ("solved", 0.95), ("pending", 0.97), ("on_hold", 0.98), ("open", 1.0))
    elif age_days > 3:
        table = (
            ("solved", 0.45),
            ("closed", 0.55),
            ("pending", 0.7),
            ("open", 0.86),
            ("on_hold", 0.92),
            ("new", 1.0),
        )
    else:
        table = (("new", 0.3), ("open", 0.62), ("pending", 0.78), ("on_hold", 0.84), ("solved", 1.0))
    for status, upto in table:
        if roll < upto:
            return status
    return table[-1][0]


def _priority(rng: Dice, mood: str) -> int:
    if mood == "angry":
        return 4 if rng.random() < 0.25 else 3
    if mood == "frustrated" and rng.random() < 0.35:
        return 3
    roll = rng.random()
    return 1 if roll < 0.1 else 3 if roll > 0.95 else 2
