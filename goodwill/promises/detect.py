"""Find the promises in a reply: commitments by us, each with its due time.

    find_promises("I'll call you back tomorrow.", now=now, tz="Europe/London")

Sentence by sentence, clause by clause: a clause is a promise when it commits us (first person
and a future: "I'll", "we will", "we're sending", "let me"; or what the customer will get:
"you'll receive", "your refund will be processed", "the engineer will visit") and is not a
question, a condition ("if you send the photo…"), a hedge ("hopefully", "might"), a refusal
("we can't"), a general policy ("refunds usually take 5–10 days") or the customer's own words
reported back ("you said you'd send it Friday"). Its due time comes from the date phrase in the
clause (goodwill/promises/dates.py); a commitment with a follow-up but no date ("as soon as
possible", "I'll get back to you") is returned with `due=None` for the agent to date by hand.
Pure and offline: the composer, `goodwill analyze` and bench/promises_eval.py all call this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from goodwill.promises.calendar import DEFAULT_CALENDAR, WorkingCalendar
from goodwill.promises.dates import Context, find_hits, month_first_for

_I = re.IGNORECASE
_SUBJECT_FUTURE = re.compile(
    r"\b(?:I|we)(?:\s*['’]ll|\s+will|\s+shall|\s*['’]m\s+going\s+to|\s+am\s+going\s+to|\s*['’]re\s+going\s+to"
    r"|\s+are\s+going\s+to|\s+promise|\s+(?:aim|plan|intend|commit|undertake|expect)\s+to"
    r"|\s+can\s+(?:promise|guarantee|confirm)|\s+guarantee)\b"
    r"|\b(?:I|we)(?:\s*['’]m|\s*['’]re|\s+am|\s+are)\s+(?:\w+\s+)?(?:sending|shipping|calling|posting|delivering"
    r"|dispatching|issuing|refunding|replacing|booking|arranging|ringing|emailing|phoning|visiting|couriering"
    r"|collecting|processing|releasing|publishing|fixing|deploying|mailing)\b"
    r"|\blet\s+(?:me|us)\s+(?!know\b)\w+"
    r"|\byou(?:\s*['’]ll|\s+will|\s+should|\s+are\s+going\s+to|\s*['’]re\s+going\s+to)\s+(?:\w+\s+)?"
    r"(?:receive|get|have|hear|see|be\s+(?:contacted|called|notified|refunded|credited|sent|emailed|updated|able))\b"
    r"|\byou\s+can\s+expect\b|\bexpect\s+(?:a|an|my|our|the)\s+(?:\w+\s+)?(?:call|email|update|reply|answer|visit)\b"
    r"|\b(?:it|this|that|they|he|she|(?:the|your|our|a|an)\s+\w+(?:\s+\w+)?|(?-i:[A-Z][a-z]+)(?:\s+from\s+\w+(?:\s+\w+)?)?)"
    r"(?:\s*['’]ll|\s+will|\s+shall|\s+is\s+going\s+to|\s+are\s+going\s+to)\s+(?:\w+\s+)?"
    r"(?:be\s+(?!closed\b|open\b|unavailable\b|shut\b|busy\b|down\b|offline\b|away\b|out\b|charged\b)\w+"
    r"|(?!be\b|renew|expire|end\b|close|open|start|begin|change|cost|take|remain|stay|need|require|apply|lapse"
    r"|run\b|last|depend|vary|happen)[a-z]+)\b",
    _I,
)
_NEGATED = re.compile(
    r"\b(?:won['’]t|will\s+not|shan['’]t|can['’]t|cannot|can\s+not|unable|not\s+be\s+able|never|no\s+longer)\b",
    _I,
)
_HEDGED = re.compile(
    r"\b(?:hopefully|probably|perhaps|maybe|possibly|might|could|would|i\s+think|i\s+hope|we\s+hope|i\s+guess)\b"
    r"|(?-i:\bmay\b)|['’]d\b",
    _I,
)
_POLICY = re.compile(
    r"\b(?:usually|typically|normally|generally|often|tends?\s+to|in\s+most\s+cases|on\s+average|as\s+a\s+rule"
    r"|can\s+take|may\s+take|takes\s+up\s+to|always)\b",
    _I,
)
_CONDITIONAL = re.compile(
    r"\b(?:if|unless|provided(?:\s+that)?|as\s+long\s+as|in\s+case|assuming|whether)\b"
    r"|\b(?:once|when|after|as\s+soon\s+as)\s+(?:you|your)\b",
    _I,
)
_REPORTED = re.compile(
    r"\byou\s+(?:said|mentioned|wrote|told|promised|confirmed|noted|explained|stated|indicated|agreed|asked)\b"
    r"|\bas\s+you\s+(?:said|mentioned|asked|requested)\b|\byour\s+(?:message|email|note)\s+said\b",
    _I,
)
_FOLLOW_UP = re.compile(
    r"\b(?:as\s+soon\s+as\s+(?:possible|(?:I|we)\s+(?:can|hear|have|know|get))|asap|shortly|soon|right\s+away"
    r"|straight\s+away|promptly|at\s+the\s+earliest|get\s+back\s+to\s+you|be\s+in\s+touch|keep\s+you\s+(?:posted|updated|informed)"
    r"|let\s+you\s+know|follow\s+up|update\s+you|call\s+you\s+back|come\s+back\s+to\s+you|reach\s+out)\b",
    _I,
)
_SUBJECT_START = re.compile(
    r"^\W*(?:(?:also|then|and)\s+)?(?:I|we|you|he|she|they|it|this|that|these|those|the|your|our|my|his|her|their"
    r"|a|an|there|[A-Z]\w*)\b"
)
_ELIDED_START = re.compile(r"^\W*(?:(?:also|then|and)\s+)?(?:will\b|['’]ll\b|[a-z])")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'‘(])|\s*\n\s*")
_CLAUSE_BREAK = re.compile(
    r",\s*(?:and\s+|but\s+|then\s+|so\s+)?|;\s*|\s+[–—]\s+|\s+(?:and|but|then|so|while|although|though|because)\s+",
    _I,
)
_QUOTE_HEADER = re.compile(r"^(?:On .+wrote:|-{2,}\s*Original Message\s*-{2,}|From: .+)$", re.MULTILINE)


@dataclass(frozen=True)
class FoundPromise:
    text: str  # the words of the promise (its clause)
    due: datetime | None  # aware, in the agent's zone; None: no computable date, to be dated by hand
    start: int  # offsets of `text` in the draft
    end: int
    kind: str  # "dated" or "undated"
    reason: str  # the date phrase ("within 3 working days") or the follow-up words ("as soon as possible")

    def as_json(self) -> dict[str, str | None]:
        return {"text": self.text, "due": self.due.isoformat() if self.due else None}


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def find_promises(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo | str,
    calendar: WorkingCalendar | None = None,
    month_first: bool | None = None,
) -> list[FoundPromise]:
    """The promises in `text`, in reading order, due times resolved at `now` in zone `tz`.

    `calendar` (goodwill/promises/calendar.py) counts working days; `month_first` reads 12/1 as
    1 December (default: only in United States zones).
    """
    zone = _zone(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    ctx = Context(
        now=now.astimezone(zone),
        zone=zone,
        calendar=calendar or DEFAULT_CALENDAR,
        month_first=month_first_for(zone) if month_first is None else month_first,
    )
    header = _QUOTE_HEADER.search(text)
    body = text[: header.start()] if header else text
    found: list[FoundPromise] = []
    start = 0
    for end, following in [(m.start(), m.end()) for m in _SENTENCE_BREAK.finditer(body)] + [
        (len(body), len(body))
    ]:
        sentence = body[start:end]
        if sentence.strip() and not sentence.lstrip().startswith(">"):  # ">": quoted history
            found.extend(_sentence_promises(sentence, start, ctx))
        start = following
    return found


def _clauses(sentence: str, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each clause; never splits inside a date phrase ("between Monday and Friday")."""
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(sentence):
        if any(s < m.start() < e or s < m.end() < e for s, e in hits):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(sentence):
        spans.append((start, len(sentence)))
    return spans


def _commits(clause: str, previous: bool) -> bool:
    if _NEGATED.search(clause) or _HEDGED.search(clause) or _POLICY.search(clause):
        return False
    if _SUBJECT_FUTURE.search(clause):
        return True
    # "I'll call you tomorrow and send the invoice on Friday": the second clause borrows the subject.
    return previous and not _SUBJECT_START.match(clause) and bool(_ELIDED_START.match(clause))


def _sentence_promises(sentence: str, offset: int, ctx: Context) -> list[FoundPromise]:
    stripped = sentence.strip()
    if not stripped or stripped.endswith("?") or _CONDITIONAL.search(sentence):
        return []
    if not (_SUBJECT_FUTURE.search(sentence) or "'ll" in sentence or "’ll" in sentence):
        return []  # cheap exit: most sentences commit to nothing
    hits = find_hits(sentence, ctx)
    clauses = _clauses(sentence, [(h.start, h.end) for h in hits])
    dated: list[FoundPromise] = []
    undated: FoundPromise | None = None
    committing = reported = False
    for start, end in clauses:
        clause = sentence[start:end]
        own_subject = bool(_SUBJECT_START.match(clause))
        reported = bool(_REPORTED.search(clause)) or (reported and not own_subject)
        committing = not reported and _commits(clause, committing)
        if not committing:
            continue
        inside = [h for h in hits if start <= h.start and h.end <= end]
        text_start, text_end = _trim(sentence, start, end)
        words = sentence[text_start:text_end]
        if inside:
            hit = inside[0]
            dated.append(
                FoundPromise(
                    words,
                    hit.moment,
                    offset + text_start,
                    offset + text_end,
                    "dated",
                    sentence[hit.start : hit.end],
                )
            )
        elif undated is None and (cue := _FOLLOW_UP.search(clause)):
            undated = FoundPromise(words, None, offset + text_start, offset + text_end, "undated", cue[0])
    if dated:
        return dated
    return [undated] if undated else []


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    while start < end and sentence[start] in " \t\r\n,;":
        start += 1
    while end > start and sentence[end - 1] in " \t\r\n,;":
        end -= 1
    return start, end
