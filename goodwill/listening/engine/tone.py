"""``check_tone``: what a reply draft could say better, each with a one-click fix.

Checks are plain patterns, fast enough to run on every pause in typing (well under a
millisecond for a short reply). A team switches a check off by passing its code in
``disabled``. Suggestions are spans of the draft to replace (or, when start == end, a place to
insert); a fix never invents facts: where a date is missing it inserts "[day]" for the agent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .readability import flesch_reading_ease
from .types import Suggestion, ToneFinding

TONE_CHECKS: tuple[str, ...] = (
    "greeting_missing", "name_missing", "name_not_preferred", "thanks_missing", "empathy_missing", "blame",
    "negative", "jargon", "shouting", "exclamations", "next_step_missing", "promise_no_date", "reading_level",
)  # fmt: skip
UPSET_MOOD = -0.3  # the last inbound message's sentiment at or below this calls for empathy
HARD_TO_READ = 30.0  # Flesch reading ease below this (and at least MIN_WORDS_TO_GRADE words)
MIN_WORDS_TO_GRADE = 25

_I = re.IGNORECASE
_GREETING_RE = re.compile(
    r"^\s*(hi|hello|hey|dear|good (?:morning|afternoon|evening)|hiya|greetings|hallo|bonjour|hola)\b( there| all| team)?",
    _I,
)
_THANKS_RE = re.compile(r"\b(?:thank|thanks|appreciate|grateful)", _I)
_EMPATHY_RE = re.compile(
    r"\b(?:sorry|apolog\w*|i understand|understandabl[ey]|i can (?:imagine|see)|i hear you|that must|frustrat\w*|"
    r"upsetting|worrying|i know how|must have been|unacceptable|far too long|condolences|for your loss|"
    r"completely understand)\b",
    _I,
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NEXT_STEP_RE = re.compile(
    rf"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i am going to|is going to|you'll|you will|you can|"
    rf"you could|could you|can you|would you|will (?:arrive|ship|reach|be|show|call|contact|text|get|see|connect|load|"
    rf"resume|disappear|appear)|should (?:arrive|reach|see|show)|please (?:reply|send|try|click|check|let|confirm|go|"
    rf"open|restart|log|sign|update|use|request|contact|do)|once (?:you|we)|next step|tomorrow|tonight|today|"
    rf"this (?:afternoon|evening|morning)|{_WEEKDAY}|within|on its way|ships?|shipped|tracking|takes? (?:\d+|a few)|"
    rf"(?:has|have|was|were|is|are) (?:been )?(?:sent|refunded|shipped|fixed|reset|cancell?ed|processed|booked|added|"
    rf"resolved|approved|active|confirmed|ready|live)|(?:i've|i have|we've|we have) (?:just )?(?:\w+ )?(?:sent|issued|"
    rf"refunded|fixed|updated|escalated|arranged|booked|added|changed|reset|cancell?ed|processed|swapped|corrected|"
    rf"passed|shared|reported|locked|opened|asked|checked)|reply to this|let me know (?:whether|which|when|what|if "
    rf"(?:it|that|this))|tell me (?:if|what|whether)|ask your|contact (?:them|your)|try (?:again|it)|enjoy|"
    rf"have a (?:lovely|great|nice))\b",
    _I,
)
_PROMISE_RE = re.compile(
    r"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i am going to|we are going to|(?:our|the) team "
    r"(?:is going to|will)|they will|they'll)\s+(?:\w+\s+){0,2}?(?:get back|follow up|update|send|look into|check|contact|"
    r"call|email|let you know|ship|refund|fix|escalate|investigate|ask|arrange|look|be in touch|reply|come back|"
    r"review|process|sort)",
    _I,
)
_DATE_RE = re.compile(
    rf"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week)|by (?:\w+ )?(?:{_WEEKDAY}|noon|midday|end|"
    rf"\d)|{_WEEKDAY}|within \w+ (?:\w+ )?(?:minutes?|hours?|days?)|in (?:\w+ )?(?:minutes?|hours?|days?)|at \d|"
    rf"\d{{1,2}}(?::\d\d)? ?(?:am|pm)|\d{{1,2}} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|same day|"
    rf"that day|then|next (?:week|{_WEEKDAY})|end of (?:the )?(?:day|week|month)|right away|now)\b",
    _I,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")

# (pattern, replacement): phrases that put the blame on the customer.
# (keywords, pattern, replacement): phrases that put the blame on the customer. A pattern is
# only tried when one of its keywords is in the draft, which keeps long drafts fast.
_Rule = tuple[tuple[str, ...], re.Pattern[str], str]
_BLAME: tuple[_Rule, ...] = tuple(
    (keywords, re.compile(pattern, _I), replacement)
    for keywords, pattern, replacement in (
        (("failed",), r"\byou failed to\b", "it looks like you weren't able to"),
        (("not our",), r"\b(?:(?:that's|that is|it's|it is) )?not our (?:problem|fault)\b", "let me help you sort this out"),
        (("calm down",), r"\b(?:please )?calm down\b", "I understand how frustrating this is"),
        (("said", "mentioned", "explained", "told you", "stated"),
         r"\b(?:as|like) I (?:already |previously )?(?:said|mentioned|explained|told you)(?: before| earlier| in my last "
         r"email)?\b|\bas (?:previously |already )?(?:stated|mentioned)\b", "to recap"),
        (("unfortunately",), r"\bunfortunately,? you\b", "it looks like you"),
        (("should have",), r"\byou should have\b", "next time, you can"),
        (("must have",), r"\byou must have\b", "it may be that you"),
        (("didn't",), r"\byou didn't (?:attach|include) the (\w+)\b", "the file didn't come through"),
        (("didn't",), r"\byou didn't (?:read|select|enter|follow|check)\b", "it looks like you didn't"),
        (("read the",), r"\b(?:please )?read the (?:manual|instructions|docs|documentation|faq)(?: before (?:contacting|"
         r"writing to) (?:us|support))?", "the manual covers this too"),
        (("on your",), r"\bthe (?:issue|error|problem) is on your (?:side|end)\b", "the issue seems to be with the local setup"),
        (("obviously",), r"\bobviously,? ", ""),
        (("responsibility",), r"\b(?:it's|it is) your responsibility\b", "it's important"),
    )
)  # fmt: skip
_NEGATIVE: tuple[_Rule, ...] = tuple(
    (keywords, re.compile(pattern, _I), replacement)
    for keywords, pattern, replacement in (
        (("unfortunately",), r"\bunfortunately,? (?!you\b)", ""),
        (("nothing",), r"\b(?:there's|there is) nothing (?:we|I) can do\b|\bnothing (?:we|I) could do\b", "here's what I can do"),
        (("can't", "cannot", "can not"), r"\b(?:we|I) (?:can't|cannot|can not)\b", "we aren't able to"),
        (("possible",), r"\b(?:(?:it's|it is) )?(?:impossible|not possible)\b", "not something we can do right now"),
        (("policy",), r"\b(?:(?:it's|that's|it is|that is) )?(?:against )?our policy\b", "the way our policy works"),
        (("handle", "department", "deal with"),
         r"\b(?:this|that) isn't something we handle\b|\bnot my department\b|\bnot something we (?:handle|deal with)\b",
         "the right people for this are"),
    )
)  # fmt: skip
_ACRONYMS_TEXT = """API URL PDF CSV VAT ETA FAQ SMS SSO USB UK US EU ID PIN IBAN CEO CTO IT HR GDPR HTTP HTTPS DNS SSL TLS VPN
    IMAP SMTP UTC GMT CET PST EST TV PC OK AM PM ASAP ISP IP MFA QR NHS DHL UPS USPS CRM ERP SKU POS ATM VIP
    BST CEST EUR USD GBP"""
ACRONYMS = frozenset(_ACRONYMS_TEXT.split())
_CAPS_RUN_RE = re.compile(r"\b[A-Z][A-Z']{1,}\b(?:[ ,]+[A-Z0-9][A-Z0-9']*\b)*")
_STACKED_RE = re.compile(r"[!?]*!{2,}[!?]*|\?!+")

MESSAGES = {
    "greeting_missing": "Open with a greeting: a reply that starts cold reads as curt.",
    "name_missing": "Use the customer's name: it shows a person, not a queue, is answering.",
    "name_not_preferred": "The customer asked to be called {name}.",
    "thanks_missing": "Thank the customer: they took the time to write, and saying so sets a warm tone.",
    "empathy_missing": "The customer is upset: acknowledge how they feel before solving the problem.",
    "blame": "“{phrase}” puts the blame on the customer; say what happened and what happens next instead.",
    "negative": "“{phrase}” leads with what you can't do; lead with what you can.",
    "jargon": "“{phrase}” is internal jargon the customer may not know.",
    "shouting": "Capitals read as shouting.",
    "exclamations": "Stacked exclamation marks read as shouting or over-excited.",
    "next_step_missing": "Say what happens next (who does what, by when), so the customer isn't left waiting.",
    "promise_no_date": "A promise without a date leaves the customer guessing; say when.",
    "reading_level": "Hard to read (Flesch reading ease {score}): use shorter sentences and plainer words.",
}


def check_tone(
    draft: str,
    *,
    customer_name: str | None,
    preferred_name: str | None,
    customer_mood: float | None,
    jargon: Iterable[str] | Mapping[str, str] = (),
    disabled: set[str] | frozenset[str] = frozenset(),
) -> list[ToneFinding]:
    """Findings for a reply draft, in the order they appear. ``jargon`` is a list of terms or a
    mapping term -> plain wording (then the fix swaps it in)."""
    if not draft.strip():
        return []
    name = (preferred_name or (customer_name or "").split(" ")[0] or "").strip() or None
    plain = dict(jargon) if isinstance(jargon, Mapping) else {term: "" for term in jargon}
    findings: list[ToneFinding] = []
    greeting = _GREETING_RE.match(draft)
    body_start = _body_start(draft, greeting)
    findings += _greeting_findings(draft, greeting, name, customer_name, preferred_name)
    if not _THANKS_RE.search(draft):
        findings.append(
            _finding("thanks_missing", Suggestion(body_start, body_start, "Thanks for getting in touch. "))
        )
    if customer_mood is not None and customer_mood <= UPSET_MOOD and not _EMPATHY_RE.search(draft):
        at = (
            _after_first_sentence(draft, body_start)
            if _THANKS_RE.search(draft[body_start:][:120])
            else body_start
        )
        findings.append(
            _finding("empathy_missing", Suggestion(at, at, "I'm sorry about the trouble this has caused. "))
        )
    findings += _phrase_findings(draft, "blame", _BLAME)
    findings += _phrase_findings(draft, "negative", _NEGATIVE)
    findings += _jargon_findings(draft, plain)
    findings += _shouting_findings(draft, set(plain))
    for match in _STACKED_RE.finditer(draft):
        findings.append(
            _finding("exclamations", Suggestion(match.start(), match.end(), "!"), match.start(), match.end())
        )
    if not _NEXT_STEP_RE.search(draft):
        end = _end_of_body(draft)
        findings.append(
            _finding("next_step_missing", Suggestion(end, end, " Next, I'll [what you will do] by [day]."))
        )
    findings += _promise_findings(draft)
    findings += _reading_findings(draft)
    return [f for f in findings if f.code not in disabled]


def _finding(
    code: str, suggestion: Suggestion | None, start: int = 0, end: int = 0, **values: object
) -> ToneFinding:
    return ToneFinding(
        code=code, message=MESSAGES[code].format(**values), suggestion=suggestion, start=start, end=end
    )


def _body_start(draft: str, greeting: re.Match[str] | None) -> int:
    if greeting is None:
        return len(draft) - len(draft.lstrip())
    line_end = re.compile(r"[,!.:]?[ \t]*\n\s*|[,!.:]\s*").search(draft, greeting.end())
    return line_end.end() if line_end else greeting.end()


def _after_first_sentence(draft: str, start: int) -> int:
    match = re.compile(r"[.!?]+\s+").search(draft, start)
    return match.end() if match else start


def _end_of_body(draft: str) -> int:
    """Where the body ends: before a short sign-off ("Best,\\nAnna") when there is one."""
    match = re.search(r"\n\s*\n(?:[^\n]{0,40}\n)?[^\n]{0,40}\s*$", draft)
    end = match.start() if match else len(draft.rstrip())
    return end


def _greeting_findings(
    draft: str,
    greeting: re.Match[str] | None,
    name: str | None,
    customer_name: str | None,
    preferred: str | None,
) -> list[ToneFinding]:
    if greeting is None:
        lead = re.match(rf"\s*{re.escape(name)},?\s*(\S)?", draft) if name else None
        if lead and name:
            following = lead.group(1) or ""
            text = f"Hi {name},\n\n{following.upper()}" if following else f"Hi {name},"
            return [
                _finding(
                    "greeting_missing", Suggestion(lead.start(), lead.end(), text), lead.start(), lead.end()
                )
            ]
        opening = f"Hi {name},\n\n" if name else "Hello,\n\n"
        return [_finding("greeting_missing", Suggestion(0, 0, opening))]
    if not name:
        return []
    line = draft[greeting.start() : draft.find("\n", greeting.end()) if "\n" in draft else len(draft)][:80]
    if preferred and re.search(rf"\b{re.escape(preferred)}\b", line, _I):
        return []
    known = [part for part in (customer_name or "").split() if len(part) > 1]
    first = known[0] if known else None
    if preferred and first and first.lower() != preferred.lower():
        hit = re.search(rf"\b{re.escape(first)}\b", line, _I)
        if hit:
            start = greeting.start() + hit.start()
            return [
                _finding("name_not_preferred", Suggestion(start, start + len(first), preferred), start,
                         start + len(first), name=preferred)
            ]  # fmt: skip
    if any(re.search(rf"\b{re.escape(part)}\b", line, _I) for part in known):
        return []
    if greeting.group(2):  # "Hi there," -> "Hi Sam,"
        return [_finding("name_missing", Suggestion(greeting.start(2), greeting.end(2), f" {name}"))]
    return [_finding("name_missing", Suggestion(greeting.end(1), greeting.end(1), f" {name}"))]


def _starts_sentence(draft: str, at: int) -> bool:
    before = draft[max(0, at - 40) : at]
    stripped = before.rstrip()
    return at == 0 or not stripped or stripped[-1] in ".!?" or "\n" in before[len(stripped) :]


def _phrase_findings(draft: str, code: str, rules: tuple[_Rule, ...]) -> list[ToneFinding]:
    findings = []
    lowered = draft.lower().replace("\u2019", "'")
    for keywords, pattern, replacement in rules:
        if not any(k in lowered for k in keywords):
            continue
        for match in pattern.finditer(draft):
            start, end = match.start(), match.end()
            text = replacement
            at_sentence_start = _starts_sentence(draft, start)
            if at_sentence_start:
                if not text and end < len(draft):  # deleting a sentence opener: capitalise what follows
                    end += 1
                    text = draft[end - 1].upper()
                else:
                    text = text[:1].upper() + text[1:]
            findings.append(
                _finding(
                    code, Suggestion(start, end, text), match.start(), match.end(), phrase=match.group(0)
                )
            )
    return findings


def _jargon_findings(draft: str, plain: dict[str, str]) -> list[ToneFinding]:
    findings = []
    for term, wording in plain.items():
        if not term.strip():
            continue
        flags = 0 if term.isupper() else _I
        match = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", draft, flags)
        if match:
            suggestion = Suggestion(match.start(), match.end(), wording) if wording else None
            findings.append(_finding("jargon", suggestion, match.start(), match.end(), phrase=match.group(0)))
    return findings


def _shouting_findings(draft: str, jargon_terms: set[str]) -> list[ToneFinding]:
    findings = []
    allowed = ACRONYMS | {t.upper() for t in jargon_terms}
    for match in _CAPS_RUN_RE.finditer(draft):
        words = re.findall(r"[A-Z0-9']+", match.group(0))
        loud = [w for w in words if len(w) >= 2 and w.isalpha() and w not in allowed]
        # One unknown three-letter word is more likely an acronym than a shout.
        if not loud or (len(loud) == 1 and len(loud[0]) < 4):
            continue
        calm = re.sub(r"\s+", " ", match.group(0))
        calm = " ".join(w if w.strip(",") in allowed else w.lower() for w in calm.split(" "))
        if _starts_sentence(draft, match.start()):
            calm = calm[:1].upper() + calm[1:]
        findings.append(
            _finding("shouting", Suggestion(match.start(), match.end(), calm), match.start(), match.end())
        )
    return findings


def _promise_findings(draft: str) -> list[ToneFinding]:
    findings = []
    for sentence in _SENTENCE_RE.finditer(draft):
        text = sentence.group(0)
        promise = _PROMISE_RE.search(text)
        if promise and not _DATE_RE.search(text):
            stripped = text.rstrip()
            at = sentence.start() + len(stripped.rstrip(".!?"))
            findings.append(
                _finding(
                    "promise_no_date", Suggestion(at, at, " by [day]"), sentence.start() + promise.start(), at
                )
            )
    return findings


def _reading_findings(draft: str) -> list[ToneFinding]:
    score, words = flesch_reading_ease(draft)
    if words < MIN_WORDS_TO_GRADE or score >= HARD_TO_READ:
        return []
    sentences = list(_SENTENCE_RE.finditer(draft))
    longest = max(sentences, key=lambda s: len(s.group(0)))
    split = re.search(
        r",\s+(?:and|but|which|so|because|provided|notwithstanding|subsequent)?\s*", longest.group(0)
    )
    suggestion = None
    if split:
        start = longest.start() + split.start()
        end = longest.start() + split.end()
        nxt = draft[end : end + 1]
        suggestion = Suggestion(start, end + 1, ". " + nxt.upper())
    return [_finding("reading_level", suggestion, longest.start(), longest.end(), score=score)]
