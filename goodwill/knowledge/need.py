"""Need suggestion: guess a new conversation's need from its first message, offline.

A TF-IDF + linear (logistic loss) classifier (scikit-learn) is trained on the team's own
labelled conversations (those with a need set), from the subject and first customer
message of each. The worker retrains it periodically when the labelled set changed
(`retrain_need_model`); each model is stored in the database with a version, its size
and its accuracy on a held-out fifth of the examples. With fewer than MIN_EXAMPLES
labelled conversations (or under two needs with MIN_PER_NEED each) nothing is trained and
the sidebar says so instead of guessing. A suggestion below SUGGEST_FROM confidence is not
stored: a coin toss would only send the agent to the wrong prepared answers.
"""

from __future__ import annotations

import pickle  # noqa: S403 - models are written by this module into the team's own database
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import ContactReason, Conversation, Message
from goodwill.conversations.services import update_properties
from goodwill.knowledge.models import NeedModel, NeedSuggestion

MIN_EXAMPLES = 30
MIN_PER_NEED = 5
MAX_EXAMPLES = 20_000  # the newest labelled conversations; older ones add little and cost time
SUGGEST_FROM = 0.35
HELD_OUT = 0.2
KEEP_MODELS = 3
_loaded: dict[tuple[int, int, str], Any] = {}  # the last model read, by (id, version, created)


@dataclass
class Readiness:
    model: NeedModel | None
    labelled: int  # counted up to MIN_EXAMPLES when there is no model

    @property
    def message(self) -> str:
        if self.model is not None:
            accuracy = (
                f", {self.model.accuracy:.0%} right on held-out examples" if self.model.accuracy else ""
            )
            return f"Model v{self.model.version}: {self.model.examples} examples, {self.model.needs} needs{accuracy}."
        return (
            f"Not enough labelled conversations to suggest needs yet: {self.labelled} of {MIN_EXAMPLES} "
            "have a need set. Set needs on conversations and suggestions start after the next training."
        )


def readiness() -> Readiness:
    model = NeedModel.objects.defer("blob").first()
    if model is not None:
        return Readiness(model, model.examples)
    labelled = Conversation.objects.filter(need__isnull=False).values("id")[:MIN_EXAMPLES].count()
    return Readiness(None, labelled)


def conversation_text(subject: str, text: str) -> str:
    return f"{subject}\n{text}".strip()


def labelled_examples(limit: int = MAX_EXAMPLES) -> list[tuple[str, int]]:
    """(subject + first customer message, need id) of the newest labelled conversations."""
    first = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Message.Direction.INBOUND)
        .order_by("created_at", "id")
        .values("id")[:1]
    )
    rows = list(
        Conversation.objects.filter(need__isnull=False, need__is_active=True)
        .order_by("-id")
        .annotate(first_id=Subquery(first))
        .values_list("subject", "need_id", "first_id")[:limit]
    )
    texts = dict(
        Message.objects.filter(pk__in=[row[2] for row in rows if row[2]]).values_list("id", "new_text")
    )
    missing = [pk for pk, text in texts.items() if not text]
    texts.update(Message.objects.filter(pk__in=missing).values_list("id", "text"))
    return [
        (conversation_text(subject, texts.get(first_id) or ""), need_id)
        for subject, need_id, first_id in rows
    ]


def fingerprint() -> str:
    facts = Conversation.objects.filter(need__isnull=False).aggregate(
        n=Count("id"), top=Max("id"), total=Sum("need_id")
    )
    return f"{facts['n']}:{facts['top'] or 0}:{facts['total'] or 0}"


def build_pipeline() -> Any:
    """Word and word-pair TF-IDF into a linear model with probabilities (log loss).

    Stochastic gradient descent trains in about a second on thousands of messages even on a
    busy machine, where the exact logistic regression solvers took several times as long
    for the same held-out accuracy.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", max_features=30_000
                ),
            ),
            ("clf", SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=1e-3, random_state=0)),
        ]
    )


def usable(examples: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Examples of needs with at least MIN_PER_NEED of them; [] when that leaves too little."""
    counts = Tally(need for _text, need in examples)
    kept = [(text, need) for text, need in examples if counts[need] >= MIN_PER_NEED]
    if len(kept) < MIN_EXAMPLES or len({need for _text, need in kept}) < 2:
        return []
    return kept


def evaluate(train: list[tuple[str, int]], test: list[tuple[str, int]]) -> float:
    pipeline = build_pipeline().fit([t for t, _ in train], [n for _, n in train])
    predicted = pipeline.predict([t for t, _ in test])
    return sum(int(p == n) for p, (_t, n) in zip(predicted, test, strict=True)) / len(test) if test else 0.0


def split(examples: list[tuple[str, int]], share: float = HELD_OUT, seed: int = 7) -> tuple[list, list]:
    from sklearn.model_selection import train_test_split

    labels = [need for _text, need in examples]
    train, test = train_test_split(examples, test_size=share, random_state=seed, stratify=labels)
    return list(train), list(test)


def train_need_model(*, force: bool = False) -> NeedModel | None:
    """Train and store a new version when the labelled set changed; None when it did not or is too small."""
    marker = fingerprint()
    latest = NeedModel.objects.defer("blob").first()
    if latest is not None and latest.fingerprint == marker and not force:
        return None
    examples = usable(labelled_examples())
    if not examples:
        return None
    train, test = split(examples)
    accuracy = evaluate(train, test)
    pipeline = build_pipeline().fit([t for t, _ in examples], [n for _, n in examples])
    import sklearn

    blob = pickle.dumps({"sklearn": sklearn.__version__, "pipeline": pipeline})
    version = (NeedModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            model = NeedModel.objects.create(
                version=version,
                examples=len(examples),
                needs=len({need for _t, need in examples}),
                held_out=len(test),
                accuracy=accuracy,
                fingerprint=marker,
                blob=blob,
            )
    except IntegrityError:
        return None  # another worker stored this version first
    stale = list(NeedModel.objects.values_list("pk", flat=True)[KEEP_MODELS:])
    NeedModel.objects.filter(pk__in=stale).delete()
    return model


def retrain_need_model(now: datetime) -> str | None:
    """Periodic job (goodwill/schedules.py)."""
    model = train_need_model()
    if model is None:
        return readiness().message if NeedModel.objects.count() == 0 else None
    return f"need model v{model.version}: {model.examples} examples, accuracy {model.accuracy:.1%}"


def _pipeline(model: NeedModel) -> Any | None:
    key = (model.pk, model.version, model.created_at.isoformat())
    if key not in _loaded:
        import sklearn

        blob = NeedModel.objects.filter(pk=model.pk).values_list("blob", flat=True).first()
        if blob is None:
            return None
        stored = pickle.loads(bytes(blob))  # noqa: S301 - written by train_need_model
        if stored.get("sklearn") != sklearn.__version__:
            return None  # trained by another scikit-learn; the next training replaces it
        _loaded.clear()
        _loaded[key] = stored["pipeline"]
    return _loaded[key]


def predict(text: str) -> tuple[int, float, int] | None:
    """(need id, confidence 0..1, model version) for `text`, or None without a usable model."""
    model = NeedModel.objects.defer("blob").first()
    pipeline = _pipeline(model) if model is not None else None
    if pipeline is None or model is None or not text.strip():
        return None
    probabilities = pipeline.predict_proba([text])[0]
    best = int(probabilities.argmax())
    return int(pipeline.classes_[best]), float(probabilities[best]), model.version


def suggest_need(conversation: Conversation) -> NeedSuggestion | None:
    """Store a suggestion for a conversation without a need (once; a repeat changes nothing)."""
    if conversation.need_id or NeedSuggestion.objects.filter(conversation=conversation).exists():
        return None
    first = (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .order_by("created_at", "id")
        .first()
    )
    text = conversation_text(conversation.subject, (first.new_text or first.text) if first else "")
    guess = predict(text)
    if guess is None or guess[1] < SUGGEST_FROM:
        return None
    need_id, confidence, version = guess
    if not ContactReason.objects.filter(pk=need_id, is_active=True).exists():
        return None
    suggestion, _created = NeedSuggestion.objects.get_or_create(
        conversation=conversation,
        defaults={"need_id": need_id, "confidence": confidence, "model_version": version},
    )
    return suggestion


def accept_suggestion(suggestion: NeedSuggestion, *, by: Agent) -> None:
    require(by, Action.EDIT_PROPERTIES)
    with transaction.atomic():
        update_properties(suggestion.conversation, {"need": suggestion.need}, by=by)
        suggestion.accepted_at = timezone.now()
        suggestion.accepted_by = by
        suggestion.save(update_fields=["accepted_at", "accepted_by"])
