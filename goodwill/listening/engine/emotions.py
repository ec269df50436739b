"""Emotions and urgency from cue phrases: explainable, fast, English only.

Each emotion's score is 1 - Π(1 - w) over the cues that matched, so one strong cue or a few
weak ones reach 0.5 ("present"); the sentiment reading's own cues (sarcasm, shouting, chasing)
feed anger and frustration.
"""

from __future__ import annotations

from .cues import Cue, cue
from .types import EMOTIONS


def _rx(pattern: str) -> Cue:
    return cue(pattern)


_CUES: dict[str, tuple[tuple[Cue, float], ...]] = {
    emotion: tuple((cue(pattern), weight) for pattern, weight in cues)
    for emotion, cues in {
        "anger": (
            (r"\b(?:furious|angry|livid|outraged?|outrageous|disgust(?:ing|ed)|disgraceful|ridiculous|unacceptable|"
             r"pathetic|what a joke|rude|liars?|lying to|scam|never again|how dare|insult(?:ing)?|inacceptable|frechheit|"
             r"fucking kidding|wtf|what the (?:hell|fuck)|not good enough|unbelievable|is this how you treat|"
             r"charging me twice|charged (?:me )?twice|stick it|cancel everything|brick)\b", 0.55),
            (r"\b(?:small claims|trading standards|report(?:ing)? you|lawyer|court|lose your job|hope you)\b", 0.55),
            (r"!{2,}", 0.2),
            (r"\?!", 0.5),
            (r"\b(?:nobody (?:calls|reads|answers)|hung up|ignored us|with no apology|took a day off|anyone actually|"
             r"is anyone (?:actually )?working|swear to god|lose it|one more time)\b", 0.5),
        ),
        "frustration": (
            (r"\bstill\b|\b(?:yet|once) again\b|\b(?:down|broken|dead|failed|crashed) again\b|"
             r"\bnothing has changed\b|\bnope\b", 0.5),
            (r"\b(?:(?<!be )waiting|waited|on hold|no (?:answer|reply|replies|response|refund)|nobody|zero replies|no one|"
             r"any (?:update|news)|anyone there|give up|sick and tired|passed from|third time|fifth time|"
             r"(?:\d+|two|three|four|five|six|seven|ten) (?:times|emails|calls)|not impressed|not happy|"
             r"disappointed|disappointing|déçu|enttäuscht|ugh|pfff|damn it|bloody|hell of|expected better|"
             r"didn't fix|doesn't work|does not work|isn't fixed|not working|keeps|broken|broke|fell apart|"
             r"wtf|what the hell|for what we pay|took a day off|doesn't match|not even|neither|"
             r"another outage|third this month|ridiculous|unbelievable|what a joke|isn't here|hasn't returned|"
             r"won't answer|doesn't load|why am i being|pathetic|not good enough|no apology|embarrassing|"
             r"declined|swear to god|one more time|lose it|even though we booked|why does it cost|"
             r"it's been (?:a|\d+|two|three|four|six) (?:months?|weeks?))\b", 0.5),
            (r"\?\?|^\W*\?", 0.5),
        ),
        "anxiety": (
            (r"\b(?:worried|worry|worrying|scared|terrified|panic(?:king)?|nervous|anxious|desperate|afraid|frightened|"
             r"beside myself|lying awake|stressed|preocupad[ao]|please,? please|what do i do|is it gone|"
             r"can't afford|don't know how i'll|losing (?:orders|money|customers)|run out|oxygen|asthma|insulin|"
             r"hospital|exam|scammed|logged into my account|can't pay|stuck in|no hotel|going live|client demo|"
             r"moving in|need that money|deleted|by accident|tell me what's happening|urgent|asap|emergency|"
             r"right now|everything is down|is down|are calling us|missing customer orders|leaves in|starts in|"
             r"doesn't exist|not coming|closes at|two payments|did not make|freeze it|forgot)\b", 0.55),
            (r"\bhelp!", 0.55),
        ),
        "sadness": (
            (r"\b(?:sad|heartbroken|gutted|devastated|upset|funeral|passed away|put (?:our|my|him|her) \w* ?down|"
             r"loss|lost my job|nobody cares|feel like|give up|sad to say|he'll be so|she'll be so|"
             r"birthday present|disappointed|disappointing|déçu|enttäuscht|real blow|living in one room|"
             r"first time i'm considering|considering leaving|probably move|kind of gutted)\b", 0.55),
        ),
        "confusion": (
            (r"\b(?:confused|confusing|don't understand|do not understand|don't get it|not sure|no idea|which one|"
             r"difference between|what does .* mean|what it means|i'm lost|a bit lost|can't tell|supposed to|"
             r"docs say|the guide shows|is that normal|how does|(?:can|could) you explain|explain (?:how|why|what)|where is the|"
             r"dumb question|stupid question|bug or|wait, so|or does it|or not|why (?:am i|was|does|is)|"
             r"who do i|do i call|can't find|what is going on|don't have)\b", 0.55),
        ),
        "joy": (
            (r"(?<!not )(?<!n't )\b(?:love|loved|amazing|brilliant|perfect|perfectly|fantastic|wonderful|excited|happy|delighted|lovely|"
             r"superb|beautiful|gorgeous|legends?|game changer|great|best|awesome|super|can't wait|proud|"
             r"kind|smooth(?:ly)?|fast|quick|rides like new|beautifully|top-notch|merveilleux|fantastique|"
             r"encantado|perfekt|not bad|made up for|saved)\b", 0.5),
            (r"[😀😃😄😁😊🙂😍🥰❤💕👍👏💪🎉✨]|10/10", 0.5),
        ),
        "gratitude": (
            (r"\b(?:thank(?:s| you)(?: so much| a lot| again| guys| all)?,? (?:for|to) (?!nothing)|appreciate|grateful|"
             r"merci|danke|gracias|dank je|pass on our thanks|kind to)", 0.6),
            (r"\b(?:great (?:work|job)|well done|kudos)\b", 0.5),
            (r"🙏", 0.6),
            (r"👏|👍", 0.5),
        ),
    }.items()
}  # fmt: skip

_URGENCY: tuple[tuple[str, Cue, float], ...] = tuple(
    (name, cue(pattern), weight)
    for name, pattern, weight in (
        ("urgent", r"\b(?:urgent|urgently|asap|as soon as possible|emergency|immediately|right now|right away)\b", 0.6),
        ("deadline", r"\b(?:today|tonight|by (?:noon|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                     r"the end of)|in \d+ (?:minutes|hours)|starts in|leaves in|closes at|going live|on monday|"
                     r"tomorrow|next week|at \d|client demo)\b", 0.35),
        ("business stopped", r"\b(?:is down|are down|everything is down|losing (?:orders|money|customers)|broken for all|"
                             r"can't pay|run out|out of|no power|no heating|missing customer orders|checkout is broken|"
                             r"customers see|oxygen|asthma|insulin|hospital|scammed|logged into my account|"
                             r"did not make|freeze it|deleted .* by accident|no hotel|stuck in)\b", 0.45),
        ("pleading", r"\bplease,? (?:please|help|call|someone)|\bhelp\s*!|!!!|\bescalate\b|need someone on this", 0.35),
    )
)  # fmt: skip


_CALM_RE = _rx(r"\b(?:not urgent|no rush|whenever you have|when you get a chance)\b")


def read_emotions(
    text: str, *, sentiment_cues: tuple[str, ...], abusive: bool, shouting: bool
) -> dict[str, float]:
    scores: dict[str, float] = {}
    lowered = text.lower()
    for emotion in EMOTIONS:
        keep = 1.0
        for pattern, weight in _CUES[emotion]:
            if pattern.search(lowered):
                keep *= 1.0 - weight
        scores[emotion] = 1.0 - keep
    derived = {
        "anger": (0.5 if "sarcasm" in sentiment_cues else 0)
        + (0.55 if shouting else 0)
        + (0.9 if abusive else 0),
        "frustration": (0.5 if "sarcasm" in sentiment_cues else 0) + (0.5 if shouting else 0),
    }
    for emotion, extra in derived.items():
        scores[emotion] = 1.0 - (1.0 - scores[emotion]) * (1.0 - min(extra, 0.95))
    if "sarcasm" in sentiment_cues:
        scores["gratitude"] *= 0.3
        scores["joy"] *= 0.3
    elif "gratitude" in sentiment_cues:
        # Bare thanks counts only when the sentiment reading took it as thanks, not as courtesy.
        scores["gratitude"] = 1.0 - (1.0 - scores["gratitude"]) * 0.4
    if _CALM_RE.search(text.lower()):
        scores["anxiety"] *= 0.3
    return {emotion: round(score, 3) for emotion, score in scores.items()}


def read_urgency(text: str) -> tuple[float, tuple[str, ...]]:
    if _CALM_RE.search(text.lower()):
        return 0.0, ("not urgent",)
    keep = 1.0
    cues: list[str] = []
    lowered = text.lower()
    for name, pattern, weight in _URGENCY:
        if pattern.search(lowered):
            keep *= 1.0 - weight
            cues.append(name)
    return round(1.0 - keep, 3), tuple(cues)
