"""Sentiment of a customer message: VADER, corrected for how people write to support.

VADER alone reads "Please sort it out, thanks" as friendly and "thanks for nothing" as
grateful. The rules here (each named in ``cues`` so a score can be explained):

- courtesy words ("please", "thanks", "hi", "sorry to bother you") are removed before VADER;
  thanks only counts when it thanks for something and nothing is wrong;
- support-specific trouble VADER does not know ("still hasn't arrived", "any update??",
  "third time", "on hold") pulls the score down;
- praise next to trouble ("Oh great, another cancelled flight") is read as sarcasm;
- reassurance ("no worries", "not a big deal", "shit happens") pulls towards neutral;
- SHOUTING strengthens a negative score.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .cues import Cue, cue

NEGATIVE_AT = -0.1
POSITIVE_AT = 0.3


def _rx(pattern: str) -> Cue:
    return cue(pattern)


_COURTESY_RE = _rx(
    r"\b(?:please|pls|plz|kindly|thanks in advance|thank you in advance|thanks|thank you|thx|many thanks|cheers|"
    r"hi|hello|hey|dear|hiya|hallo|regards|best wishes|sorry to (?:bother|chase|be a pain)(?: you)?(?: again)?|"
    r"i hope you(?:'re| are) well|help)\b"
)
# (name, pattern, weight): trouble that VADER's general lexicon does not see.
_TROUBLE: tuple[tuple[str, Cue, float], ...] = tuple(
    (name, cue(pattern), weight)
    for name, pattern, weight in (
        ("still", r"\bstill (?:no\b|not\b|nothing|waiting|haven't|hasn't|isn't|doesn't|can't|don't|broken|stuck|"
         r"there|no answer|no refund|no power|no reply)|\bstill\b.*\b(?:not|no|n't)\b|\bnothing has changed\b", -0.45),
        ("not arrived", r"\b(?:hasn't|has not|haven't|have not|didn't|did not|never|isn't|is not|wasn't|not)\s+(?:yet\s+)?"
         r"(?:arrived?|come|ship(?:ped)?|received?|heard|turn(?:ed)? up|show(?:n|ed)? up|been (?:fixed|refunded|answered|returned)|here|coming|fixed)\b", -0.45),
        ("does not work", r"\b(?:doesn't|does not|don't|won't|can't|cannot|couldn't|isn't|is not|wasn't|not|didn't|no longer)\s+"
         r"(?:\w+\s+)?(?:work(?:ing)?|load|open|turn on|connect|sync|log in|find|pay|get|access|afford|fix(?:ed)?|"
         r"hold|help|match|correspond|exist)\b", -0.4),
        ("trouble word", r"\b(?:broken|broke|crash(?:es|ed)?|stuck|fail(?:s|ed|ing)?|error|outage|down|missing|lost|damaged|"
         r"cracked|faulty|wrong|late|cancell?ed|overcharged|charged (?:me )?twice|twice|double|declined|wilted|scratched|raw|"
         r"cold|dirty|rude|empty|delay(?:ed)?|expired|logging me out|wiped|deleted|stolen|scam(?:med)?|dead|died|"
         r"slow|warning|bug|ignored|absent|closed|overdrawn|fell apart|brick|disappear|too small|"
         r"hung up|passed away|put (?:our|my) \w+ down|funeral|no heating|no power|(?:he's|she's|we're|i'm) out|"
         r"run(?:ning)? out|more than (?:the )?(?:estimate|quote)|(?:took|got|sent|charged) .{1,20} instead of|charged for|"
         r"twice the|one letter|isn't back|(?:this is|is this) how you treat|soaked|leak(?:s|ing)?|torn|ripped|mouldy|"
         r"stopped (?:working|\w+ing)|dead pixel|(?:shorter|longer|smaller|bigger|louder) than|not as described|"
         r"wrong (?:size|colou?r|item|address)|unacceptable|formal complaint|complain|regulator|ombudsman|nightmare|"
         r"locked out|lowered|without (?:any )?(?:notice|warning)|(?:don't|do not) recogni[sz]e|someone else's|"
         r"keeps? \w+ing|kept (?:us|me) (?:up|waiting)|slower|worse|^\W*meh\b|says one thing|"
         r"never (?:sent|answered|came|called|replied|delivered|got back)|won't (?:answer|reply|respond|refund|let)|"
         r"(?:second|third) (?:this|in a) (?:year|month|week)|freez(?:es|ing)|froze|frozen|(?:was|were|been) promised|"
         r"you promised|short (?:of|by)|none of (?:my|the|them|it)|i want (?:my|that|the|our) \w+ back)\b", -0.3),
        ("doubting", r"\b(?:anybody|anyone|you) (?:there )?actually (?:fix|read|answer|do|care|help)\b", -0.4),
        ("why does it cost", r"\bwhy (?:does|do|did|am i|was|is|are)\b.{0,40}\b(?:cost|charg\w*|take|taking|marked)\b", -0.3),
        ("pleading", r"\bplease,? please\b", -0.3),
        ("waiting", r"\b(?:(?<!be )waiting|waited|on hold|no (?:answer|reply|replies|response|refund|apology|reason|one)|"
         r"nobody|zero replies|nothing\b(?! else| special)|not a word|ignoring|passed from)\b", -0.4),
        ("chasing", r"^\W*(?:any (?:update|news)(?: on this)?|hello|anyone there|is anyone there|still nothing|nope)\W*$|"
         r"\?\?|\bagain\??$|^\W*\?", -0.5),
        ("again and again", r"\b(?:yet again|once again|(?:down|broken|dead|failed|crashed|outage|charged) again|"
         r"another (?:outage|price rise|cancelled)|(?:second|third|fourth|fifth|sixth) (?:time|email|call|message|chase)|(?:zero|no) (?:response|answer|reply)|(?:\d+|two|three|four|five|six|seven|ten|a dozen|dozen) (?:times|emails|calls))\b", -0.3),
        ("time lost", r"\b(?:\d+|two|three|four|five|six|seven|ten|a|one) (?:weeks?|days?|months?|hours?|minutes)\b", -0.15),
        ("money back", r"\b(?:refund|money back|small claims|chargeback|compensation)\b", -0.08),
        ("leaving", r"\b(?:never again|considering leaving|cancel everything|we'll probably move|i give up|not good enough|"
         r"not happy|not impressed|what a joke|unbelievable|ridiculous|disgusting|disgraceful|pathetic|sick and tired|"
         r"expected better|not complaining about|don't like|really don't|gutted|heartbroken|disappointed|disappointing|"
         r"beside myself|court|trading standards|report(?:ing)? you|can't justify|cannot justify|"
         r"(?:we'll|we will|i'll|i will) be (?:cancelling|canceling|leaving|switching))\b", -0.3),
        ("worry", r"\b(?:worried|worrying|scared|terrified|panicking|nervous|desperate|anxious)\b", -0.2),
        ("swearing at a situation", r"\b(?:wtf|what the (?:hell|fuck|heck)|damn it|bloody|fucking kidding|ugh|pfff|hell of)\b", -0.35),
    )
)  # fmt: skip
# Thanks that thanks for something; "Please fix it, thanks" is courtesy, "thanks, but" is not thanks.
_THANKS_FOR_RE = _rx(
    r"\b(?:thanks|thank you|many thanks|cheers)(?: so much| a lot| again| guys| all)?,? (?:for|to) (?!nothing)(?!.{0,40}\bbut\b)|"
    r"\b(?:appreciate|grateful|pass on our thanks)\b(?!.{0,40}\bbut\b)"
)
_BARE_THANKS_RE = _rx(r"\b(?:thanks|thank you|many thanks|cheers|thx)\b(?!,? but\b)")
_PRAISE_RE = _rx(
    r"\b(?:great|brilliant|lovely|love|wonderful|superb|fantastic|amazing|excellent|perfect|awesome|legends?|"
    r"top-notch|fast|quick|helpful|kind|game changer|saved|hoped for|exceeded|delighted|pleased|happy with|"
    r"impressed|spotless|fab|improvement|polite|friendly|on time|early)\b"
)
_RESOLVED_RE = _rx(
    r"(?<!not )(?<!n't )(?<!never )(?<!want it )(?<!get it )(?<!need it )(?<!have it )\b(?:works? (?:perfectly|fine|great|again|now)|(?:it|everything) works|all (?:good|fine)(?: now)?|fixed|sorted|"
    r"found it|never mind|phew|relieved|what a relief|arrived (?:today|this morning))\b"
)
_QUESTION_RE = _rx(r"^(?:could|can|do|does|is|are|how|where|when|what|which|would|will|may)\b[^!]*\?\s*$")
# Words that carry intensity or self-blame, not displeasure with the company.
_SELF_DEPRECATION_RE = _rx(
    r"\b(?:probably )?(?:a )?(?:dumb|stupid|silly) question\b|\bmy (?:mistake|bad|fault)\b|"
    r"^\W*(?:damn|holy (?:crap|shit|cow)|wow|blimey|gosh)\b|\b(?:i'm|i am) (?:really |a bit |so |very )?confused\b"
)
_REASSURANCE_RE = _rx(
    r"\b(?:no worries|no problem|not a big deal|no rush|shit happens|it's fine|all good|not urgent|no biggie)\b"
)
# Markers that turn praise into sarcasm; the second set only when something is wrong too.
_SARCASM_RE = _rx(
    r"\b(?:oh|yeah|wow) (?:great|wonderful|brilliant|perfect|nice|fantastic|super|awesome)\b|just what i needed|"
    r"thanks for nothing|thanks for the heads-up|\breally\.\s*$"
)
_SARCASM_IF_TROUBLE_RE = _rx(
    r"\b(?:impressive|stellar|world-class|just perfect|awesome update|brilliant job|fantastic service|"
    r"super helpful|as always|thanks a lot for|well done)\b|^(?:great|nice|wonderful|perfect|awesome)[,!.]"
)
# Praise in words VADER reads as neutral or even hostile ("a killer update", "you rock").
_SLANG_PRAISE_RE = _rx(
    r"\b(?:(?:you|folks|guys|team|it|this) rocks?|not (?:too |so |that )?shabby|killing it|a killer\b(?! of)|"
    r"best \w+ (?:ever|yet)|nailed it|spot on|works? like a charm|legends?)\b"
)
# After "but" comes what the message is about ("lovely table, but one leg is short").
_BUT_RE = _rx(r"\bbut\b")
_WORRY_RE = _rx(r"\b(?:worried|worrying|scared|nervous|anxious)\b")
_GOOD_EMOJI = frozenset("😀😃😄😁😊🙂😍🥰❤💕👍👏🙏💪🎉✨😅")
_BAD_EMOJI = frozenset("😠😡🤬😤😢😭😞😟😩😫👎💔😬")


@dataclass(frozen=True)
class SentimentReading:
    score: float  # -1..1
    cues: tuple[str, ...]
    # VADER's reading of the text without courtesy words (features of the polarity model)
    vader_compound: float = 0.0
    vader_pos: float = 0.0
    vader_neg: float = 0.0


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def is_shouting(text: str) -> bool:
    """Mostly capitals, over at least a few words' worth of letters."""
    upper = sum(map(str.isupper, text))
    if upper < 8:
        return False
    return upper >= 0.7 * (upper + sum(map(str.islower, text)))


def _without(text: str, lowered: str, patterns: tuple[Cue, ...]) -> str:
    """``text`` with what ``patterns`` match (in ``lowered``) blanked out, case kept for VADER."""
    if len(lowered) != len(text):  # lower() changed the length (rare letters): keep the text as is
        return text
    chars = list(text)
    for pattern in patterns:
        if pattern.anchors and not any(map(lowered.__contains__, pattern.anchors)):
            continue
        for match in pattern.pattern.finditer(lowered):
            chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return "".join(chars)


def read_sentiment(text: str) -> SentimentReading:
    cues: list[str] = []
    trouble = 0.0
    lowered = text.lower()
    for name, pattern, weight in _TROUBLE:
        if pattern.search(lowered):
            trouble += weight
            cues.append(name)
    reassured = bool(_REASSURANCE_RE.search(lowered))
    resolved = bool(_RESOLVED_RE.search(lowered))
    if reassured or resolved:
        trouble *= 0.3
        cues.append("reassurance" if reassured else "resolved")
    slang = bool(_SLANG_PRAISE_RE.search(lowered))
    courteous = _without(text, lowered, (_COURTESY_RE, _SELF_DEPRECATION_RE, _SLANG_PRAISE_RE))
    vader = _vader().polarity_scores(courteous)
    base = float(vader["compound"])
    if slang:
        cues.append("praise in slang")
        base = max(base, 0.0) + 0.6
    if trouble < 0 and base > 0 and _BUT_RE.search(lowered):
        tail = lowered[_BUT_RE.search(lowered).end() :]  # type: ignore[union-attr]
        if any(pattern.search(tail) for _name, pattern, weight in _TROUBLE if weight <= -0.3):
            cues.append("but")
            base = 0.0
    if any(c in _GOOD_EMOJI for c in text):
        base = min(1.0, base + 0.3)
    if any(c in _BAD_EMOJI for c in text):
        base -= 0.2
    if base > 0 and _QUESTION_RE.search(lowered.strip()):
        base *= 0.4  # "Could I bring a friend for a free trial?" asks; it does not praise
    score = 0.7 * base + trouble
    sarcastic = bool(_SARCASM_RE.search(lowered)) or (
        trouble < 0 and bool(_SARCASM_IF_TROUBLE_RE.search(lowered))
    )
    praise = bool(_PRAISE_RE.search(lowered))
    bare_thanks = bool(_BARE_THANKS_RE.search(lowered))
    grateful = bool(_THANKS_FOR_RE.search(lowered)) or (
        bare_thanks and (resolved or praise) and trouble > -0.3
    )
    if sarcastic:
        cues.append("sarcasm")
        score = -0.35 - 0.4 * max(base, 0.0) + min(trouble, 0.0)
    elif grateful:
        cues.append("gratitude")
        if trouble > -0.3 or resolved:
            cues.append("thanks")
            score += 0.45
    elif trouble < 0 and bare_thanks:
        cues.append("thanks ignored in a complaint")
    if resolved and not sarcastic and trouble > -0.2:
        score = max(score, 0.35)  # "all fine now", "phew, it works": the trouble is over
    if praise and not sarcastic and trouble == 0 and score < 0.3 and "!" in text:
        score = max(score, 0.3)
    if reassured and not sarcastic and score < 0:
        score = max(score, -0.05)
    if reassured and not grateful and score > 0.3:
        score = 0.1
    if _QUESTION_RE.search(lowered.strip()) and trouble > -0.35 and not sarcastic and -0.45 < score < 0:
        cues.append("a question")
        score = max(score, -0.05)  # "Can I get a late checkout on Sunday?" asks; it does not complain
    if cues == ["worry"] and "?" in text and score > -0.45:
        score = max(score, -0.05)  # "I'm nervous about the flight, what are the rules?" asks
    if is_shouting(text) and score <= 0.05:
        cues.append("shouting")
        score -= 0.35
    return SentimentReading(
        score=max(-1.0, min(1.0, round(score, 3))),
        cues=tuple(cues),
        vader_compound=float(vader["compound"]),
        vader_pos=float(vader["pos"]),
        vader_neg=float(vader["neg"]),
    )


def polarity_of(score: float) -> str:
    if score <= NEGATIVE_AT:
        return "neg"
    if score >= POSITIVE_AT:
        return "pos"
    return "neu"
