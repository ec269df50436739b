"""Demo voice-of-the-customer rows: two-axis surveys (about one answer per five conversations,
200,000 at 1M), NPS and CES answers, and extra-mile actions, so the grid, the NPS/CES page, the
extra-mile report and bench/voice_grid.py see realistic rows at any size.

Runs after the conversations are loaded; reads only conversations newer than the last one with
a survey, so a second run adds nothing twice, and a data set seeded before this module existed
is topped up by calling `seed_voice` on it (`bench/voice_grid.py --top-up` does). Writes with
bulk inserts in batches.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Max

from goodwill.conversations.models import Conversation
from goodwill.core.models import Counter
from goodwill.demo.basics import Dice
from goodwill.voice import extra_mile_days, returns
from goodwill.voice.models import ExtraMile, Pulse, Survey

BATCH = 5000
ANSWERED = 0.20  # of all conversations: 200,000 answers at 1M
UNANSWERED = 0.10  # sent, never answered
NPS_EVERY = 4  # one customer in four answered an NPS
CES_EVERY = 25  # one solved conversation in 25 also has a CES answer
EXTRA_MILE_EVERY = 40
EXTRA_MILES = (
    ("Sent a handwritten card with the replacement", "4.50"),
    ("Upgraded the shipping to next-day at our cost", "12.00"),
    ("Called back on Saturday to check the repair worked", "0"),
    ("Added a free spare part the customer would need next", "18.90"),
    ("Refunded the delivery fee without being asked", "6.95"),
)
CONDUCT = (1, 2, 3, 4, 5)
CONDUCT_WEIGHTS = (0.05, 0.07, 0.13, 0.35, 0.40)


SEEN = "demo.voice.conversations"


def seed_voice(*, anchor: int, seed: int = 14) -> dict[str, int]:
    """Add the demo surveys, NPS/CES answers and extra-mile actions for conversations loaded since
    the last run; returns how many rows of each."""
    rng = Dice(seed)
    now = datetime.fromtimestamp(anchor, tz=UTC)
    # The conversations looked at so far (not only those that got a survey), so a second run adds nothing.
    after = (
        Counter.objects.filter(name=SEEN).values_list("value", flat=True).first()
        or Survey.objects.aggregate(m=Max("conversation_id"))["m"]  # a database seeded before the counter
        or 0
    )
    base = Conversation.objects.filter(pk__gt=after)
    total = base.count()
    last = base.aggregate(m=Max("pk"))["m"]
    if last is not None:
        Counter.objects.update_or_create(name=SEEN, defaults={"value": last})
    finished = base.filter(status__in=["solved", "closed"], solved_at__isnull=False)
    finished_count = finished.count()
    if not finished_count:
        return {}
    answer_rate = min(1.0, ANSWERED * total / finished_count)
    sent_rate = min(1.0 - answer_rate, UNANSWERED * total / finished_count)
    made = {"surveys": 0, "survey answers": 0, "ces": 0, "extra miles": 0}
    surveys: list[Survey] = []
    pulses: list[Pulse] = []
    miles: list[ExtraMile] = []
    rows = finished.order_by("pk").values_list(
        "pk", "customer_id", "assignee_id", "team_id", "solved_at", "need_met"
    )
    for pk, customer_id, assignee_id, team_id, solved, need_met in rows.iterator(chunk_size=BATCH):
        solved_at: datetime = solved or now  # the filter leaves none empty
        roll = rng.random()
        if roll < answer_rate + sent_rate:
            survey = _survey(
                rng,
                now,
                pk,
                customer_id,
                assignee_id,
                team_id,
                solved_at,
                need_met,
                answered=roll < answer_rate,
            )
            surveys.append(survey)
            made["survey answers"] += survey.answered_at is not None
            if pk % CES_EVERY == 0 and survey.sent_at is not None:
                pulses.append(_ces(rng, pk, customer_id, team_id, survey.sent_at, now))
        if pk % EXTRA_MILE_EVERY == 0 and assignee_id:
            what, cost = rng.choice(EXTRA_MILES)
            miles.append(
                ExtraMile(
                    conversation_id=pk,
                    agent_id=assignee_id,
                    what=what,
                    cost=Decimal(cost),
                    created_at=solved_at - timedelta(minutes=30),
                )
            )
        if len(surveys) >= BATCH:
            made["surveys"] += len(Survey.objects.bulk_create(surveys))
            made["ces"] += len(Pulse.objects.bulk_create(pulses))
            made["extra miles"] += len(ExtraMile.objects.bulk_create(miles))
            surveys, pulses, miles = [], [], []
    made["surveys"] += len(Survey.objects.bulk_create(surveys))
    made["ces"] += len(Pulse.objects.bulk_create(pulses))
    made["extra miles"] += len(ExtraMile.objects.bulk_create(miles))
    # As voice.services keeps it for each answer: one UPDATE for the whole load.
    flagged = Survey.objects.filter(
        conversation_id__gt=after, needs_follow_up=True, followed_up_at__isnull=True
    )
    Conversation.objects.filter(pk__in=flagged.values("conversation_id")).update(feedback_follow_up=True)
    made["nps"] = _seed_nps(rng, now, after)
    # Each answer's first return, from the start: the new answers may belong to old conversations.
    # The extra-mile report's days too: the new actions were written without marking their days.
    Counter.objects.filter(name__in=[returns.CONVERSATIONS, returns.RETURNS, extra_mile_days.BUILT]).delete()
    returns.refresh_returns(limit=None)
    return made


def _survey(
    rng: Dice,
    now: datetime,
    pk: int,
    customer_id: int,
    assignee_id: int | None,
    team_id: int | None,
    solved_at: datetime,
    need_met: str,
    *,
    answered: bool,
) -> Survey:
    sent = solved_at + timedelta(hours=24)
    survey = Survey(
        conversation_id=pk,
        customer_id=customer_id,
        agent_id=assignee_id,
        team_id=team_id,
        created_at=solved_at,
        send_after=sent,
    )
    if sent > now:
        return survey  # still waiting for its delay
    survey.sent_at = sent
    answered_at = sent + timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
    if not answered or answered_at > now:
        return survey
    survey.outcome = need_met or rng.weighted(("yes", "partly", "no"), (0.7, 0.85, 1.0))
    survey.conduct = rng.weighted(CONDUCT, _cumulative(CONDUCT_WEIGHTS))
    survey.answered_at = answered_at
    survey.closed_at = answered_at + timedelta(minutes=2)
    survey.needs_follow_up = survey.is_bad
    if survey.needs_follow_up and rng.random() < 0.8:
        survey.followed_up_at = answered_at + timedelta(hours=rng.randrange(1, 48))
    return survey


def _cumulative(weights: tuple[float, ...]) -> tuple[float, ...]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


def _ces(
    rng: Dice, pk: int, customer_id: int, team_id: int | None, sent_at: datetime, now: datetime
) -> Pulse:
    answered = min(now, sent_at + timedelta(hours=rng.randrange(1, 30)))
    score = rng.weighted((1, 2, 3, 4, 5, 6, 7), _cumulative((0.04, 0.05, 0.08, 0.13, 0.2, 0.25, 0.25)))
    return Pulse(
        kind=Pulse.Kind.CES,
        conversation_id=pk,
        customer_id=customer_id,
        team_id=team_id,
        created_at=sent_at,
        send_after=sent_at,
        sent_at=sent_at,
        answered_at=answered,
        closed_at=answered,
        score=score,
    )


def _seed_nps(rng: Dice, now: datetime, after_conversation: int) -> int:
    """One customer in NPS_EVERY (of those with conversations in this run) answered an NPS at some
    point in the history, spread over the months."""
    customers = (
        Conversation.objects.filter(pk__gt=after_conversation)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    made, batch = 0, []
    for customer_id in customers.order_by("customer_id").iterator(chunk_size=BATCH):
        if customer_id % NPS_EVERY:
            continue
        sent = now - timedelta(days=rng.randrange(2, 118), hours=rng.randrange(0, 24))
        answered = sent + timedelta(hours=rng.randrange(1, 40))
        score = rng.weighted(tuple(range(11)), _cumulative((2, 1, 1, 2, 2, 4, 6, 12, 20, 22, 28)))
        batch.append(
            Pulse(
                kind=Pulse.Kind.NPS,
                customer_id=customer_id,
                created_at=sent,
                send_after=sent,
                sent_at=sent,
                answered_at=min(answered, now),
                closed_at=min(answered, now),
                score=score,
            )
        )
        if len(batch) >= BATCH:
            made += len(Pulse.objects.bulk_create(batch))
            batch = []
    return made + len(Pulse.objects.bulk_create(batch))
