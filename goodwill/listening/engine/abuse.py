"""Abusive language: words aimed at a person, threats and slurs — not strong words as such.

Two parts. alt-profanity-check's linear model (TF-IDF + calibrated LinearSVC, shipped in its
wheel) is read once into a word -> weight table, which gives the same probability as the
package's ``predict_prob`` in microseconds instead of milliseconds per message, and tells which
words carried it. A profane word only counts as abuse when it is aimed at someone ("you",
"your staff", "you people"); "the bloody thing broke" and "shit happens" are not. Rules catch
what the model cannot: insults and threats without swear words ("I know where you live").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
_WORD_RE = re.compile(r"[^\W\d_]+")
PROFANITY_THRESHOLD = 0.75


@dataclass(frozen=True)
class _LinearProfanity:
    idf_weights: dict[str, tuple[float, tuple[float, ...]]]  # word -> (idf, weight per calibrated model)
    intercepts: tuple[float, ...]
    sigmoids: tuple[tuple[float, float], ...]  # Platt (a, b) per calibrated model

    def score(self, text: str) -> tuple[float, list[tuple[str, float]]]:
        """(probability of profanity, [(word, its pull), ...] strongest first)."""
        counts: dict[str, int] = {}
        for token in _TOKEN_RE.findall(text.lower()):
            if token in self.idf_weights:
                counts[token] = counts.get(token, 0) + 1
        if not counts:
            return self._probability([0.0] * len(self.intercepts)), []
        tfidf = {word: n * self.idf_weights[word][0] for word, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in tfidf.values()))
        margins = list(self.intercepts)
        pulls: list[tuple[str, float]] = []
        for word, value in tfidf.items():
            weights = self.idf_weights[word][1]
            x = value / norm
            for i, w in enumerate(weights):
                margins[i] += w * x
            pulls.append((word, sum(weights) / len(weights)))
        pulls.sort(key=lambda item: -item[1])
        return self._probability(margins), pulls

    def _probability(self, margins: list[float]) -> float:
        total = 0.0
        for margin, (a, b) in zip(margins, self.sigmoids, strict=True):
            total += 1.0 / (1.0 + math.exp(a * margin + b))
        return total / len(margins)


@lru_cache(maxsize=1)
def _profanity_model() -> _LinearProfanity:
    from profanity_check.profanity_check import model, vectorizer

    vocabulary: dict[str, int] = vectorizer.vocabulary_
    idf = vectorizer.idf_
    coefs = [c.estimator.coef_[0] for c in model.calibrated_classifiers_]
    table = {word: (float(idf[i]), tuple(float(c[i]) for c in coefs)) for word, i in vocabulary.items()}
    return _LinearProfanity(
        idf_weights=table,
        intercepts=tuple(float(c.estimator.intercept_[0]) for c in model.calibrated_classifiers_),
        sigmoids=tuple(
            (float(c.calibrators[0].a_), float(c.calibrators[0].b_)) for c in model.calibrated_classifiers_
        ),
    )


def profanity_probability(text: str) -> float:
    """alt-profanity-check's probability for ``text``, computed from its own weights."""
    return _profanity_model().score(text)[0]


# Who a word can be aimed at.
_TARGET = (
    r"(?:you|u|ya|yourself|you guys|you people|y'all|your (?:\w+ )?(?:staff|team|devs|developers|agents?|"
    r"people|company|moderators|mods|manager|boss|support(?: team)?|employees|workers|call centre \w+|"
    r"call center \w+|mother|mum|mom|kids|family)|(?:the|these|those) (?:devs|developers|agents|moderators|staff))"
)
# People who serve the customer, named in the third person ("your driver", "the engineer you sent").
_ROLES = (
    r"drivers?|couriers?|receptionists?|engineers?|technicians?|ceo|managers?|boss|agents?|reps?|"
    r"representatives?|operators?|waiters?|waitress(?:es)?|chefs?|fitters?|trainers?|lad|guy|girl|lady|woman|man|"
    r"cashiers?|clerks?|consultants?|advisers?|advisors?|salesman|crew|guards?|owner|landlord|staff|devs|installers?|"
    r"plumbers?|electricians?|builders?|cleaners?|movers|porters?|nurses?|doctors?|pilots?|tellers?|dispatchers?|"
    r"developers|moderators|mods|employees|workers"
)
# Only with "is/are/was" before the insult: "your driver left trash in my garden" is no insult.
_PERSON = (
    rf"(?:you lot|the lot of you|all of you|every one of you|"
    rf"(?:your|the|that|this) (?:\w+ )?(?:{_ROLES})(?: (?-i:[A-Z][a-z]+)| (?:you|who) \w+)?|"
    rf"(?:^|(?<=[.!?] ))(?:devs|developers|moderators|mods|staff|agents|managers|employees)|"
    rf"whoever (?:designed|wrote|made|built|runs|approved) (?:this|that|the) \w+)"
)
_INSULT_WORDS = (
    r"idiots?|morons?|imbeciles?|cretins?|clowns?|muppets?|losers?|pricks?|wankers?|tossers?|twats?|cunts?|"
    r"bastards?|bitch(?:es)?|slags?|sluts?|whores?|scumbags?|scum|dickheads?|assholes?|arseholes?|retards?|"
    r"monkeys?|pigs?|cows?|thieves|thief|crooks?|liars?|nazis?|parasites?|vermin|trash|garbage|"
    r"piece of (?:shit|crap|garbage|trash)|excuse for a (?:human|person|company|business)|waste of space|worms?|fools?|rats?|"
    r"little (?:man|woman|boy|girl)|halfwits?|weasels?|cowards?|cowboys|creeps?|perverts?|thugs?|numpty|numpties|"
    r"twits?|subhumans?|piece of work|waste of (?:oxygen|skin|air)|dimwits?|nitwits?|buffoons?|dunces?|knobheads?|"
    r"dipshits?|jackass(?:es)?|snakes?|leeches|cockroaches|plonkers?|simpletons?|psychos?|lowlifes?|degenerates?"
)
# Insults for people, plural: "who hired these clowns?", "Idiots." as a sentence of its own.
_PLURAL_INSULTS = (
    r"idiots|morons|imbeciles|cretins|clowns|muppets|losers|pricks|wankers|tossers|twats|cunts|bastards|"
    r"scumbags|dickheads|assholes|arseholes|halfwits|numpties|dimwits|nitwits|buffoons|cowards|cowboys|"
    r"parasites"
)
_INSULT_ADJECTIVES = (
    r"stupid|useless|incompetent|worthless|pathetic|brain-?dead|brainless|clueless|dumb|ignorant|thick|"
    r"retarded|lying|thieving|miserable|rude|fat|ugly|disgusting|filthy|greedy|lazy|spineless|gutless|nasty|"
    r"smug|vile|ignorant"
)
# Asked as a question, only these are insults ("is the manager rude or just busy?" is a fair question).
_DIM = r"stupid|thick|dumb|brain-?dead|brainless|retarded|blind|deaf|illiterate|braindead"
_INTENSIFIERS = r"absolute|complete|total|utter|fucking|bloody|proper|right|massive|drooling|brainless"
_NOT = r"(?!(?:not|never|no)\b)"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("insult aimed at a person", rf"\b{_TARGET}(?:'re|\s+are|\s+is|\s+r)?\s+(?:all\s+|just\s+|such\s+)?"
         rf"(?:an?\s+|a (?:bunch|pack) of\s+|(?:bunch|pack) of\s+|the\s+)?(?:\w+\s+){{0,2}}(?:{_INSULT_WORDS})\b"),
        ("insult aimed at a person", rf"\b{_PERSON}\s+(?:is|are|was|were)\s+(?:all\s+|just\s+|such\s+)?"
         rf"(?:an?\s+|a (?:bunch|pack) of\s+|the\s+)?(?:\w+[\s,]+){{0,2}}(?:{_INSULT_WORDS})\b"),
        ("insult aimed at a person", rf"\b(?:you|u|ya)\s+(?:(?:{_INTENSIFIERS}|{_INSULT_ADJECTIVES})[\s,]+)+"
         rf"(?:{_INSULT_WORDS})\b"),
        ("insult aimed at a person", rf"\b(?:are|is)\s+(?:{_TARGET}|{_PERSON})\s+(?:all\s+)?(?:{_DIM})\b"
         rf"(?=\s+or\b|\s*\?)"),
        ("insult aimed at a person", rf"\b(?:staffed|run|managed) by (?:a (?:bunch|pack) of )?(?:\w+ )?(?:{_PLURAL_INSULTS})\b|"
         rf"\b(?:these|those) (?:\w+ )?(?:{_PLURAL_INSULTS})(?=\s*(?:[.!?]|$))"),
        ("insult aimed at a person", rf"(?:^|[.!?]\s+)(?:(?:{_INTENSIFIERS}|{_INSULT_ADJECTIVES}|bunch of)\s+)*"
         rf"(?:{_PLURAL_INSULTS})(?:\s*[.!?]+|,\s*(?:the lot of you|all of you|every one of you|you lot))"),
        ("insult aimed at a person", rf"\b(?:you|u|ya)(?:'re| are| r)?\s+(?:an?\s+)?(?:(?:{_INSULT_ADJECTIVES})[\s,]+)+"
         rf"(?:\w+\s+)?(?:{_INSULT_WORDS}|bot|human|person|company|support bot)\b"),
        ("insult aimed at a person", rf"\byou(?:'re| are)\s+(?:an?\s+)?(?:{_INSULT_WORDS})\b"),
        ("insult aimed at a person", rf"\b(?:{_INSULT_ADJECTIVES})\s+(?:{_INSULT_WORDS})\b(?=[\s,.!?]*(?:$|\.|!|put|transfer))"),
        ("insult aimed at a person", rf"\b(?:you|u)\s+(?:{_INSULT_WORDS})\b"),
        ("insult aimed at a person", r"\b(?:a )?bunch of (?:incompetent |useless |brainless )*(?:clowns|idiots|morons|monkeys|crooks|thieves|amateurs)\b"),
        ("threat", r"\bi know (?:where you (?:live|work)|your name|where your (?:office|shop|store|kids)\b|where (?:your|the) office is)"),
        ("threat", r"\bi know where (?:your|the) \w+ is\b|\bfind out where you (?:live|work)\b"),
        ("threat", rf"\b(?:someone|somebody) (?:should|ought to|needs to|will) (?:punch|hit|slap|smack|beat|kick|deck|stab) "
         rf"(?:you|him|her|them|{_TARGET}|{_PERSON})\b|"
         r"\b(?:deserves?|needs?) (?:a |an )?(?:good |proper |real )?(?:slap|smack|beating|kicking|punch|hiding)\b|"
         r"\b(?:give|teach) (?:him|her|them|you) (?:a taste of (?:his|her|their|your) own medicine|a lesson)\b|"
         r"\bwaiting for you (?:after|outside|when) (?:your|you finish)\b"),
        ("threat", r"\bwatch (?:your back|yourself|out)\b"),
        ("threat", r"\b(?:i'll|i will|i'm going to|im going to|gonna)\s+(?:\w+\s+){0,4}(?:burn|smash|kill|hurt|beat|stab|shoot|"
         r"break your|find you|wreck|torch)\b(?! (?:(?:the|this|that|my|our) )?(?:process|session|app|task|job|tab|program|"
         r"service|server|sync|import|time|it)\b)"),
        ("threat", r"\b(?:waiting|wait) (?:for you )?outside your\b"),
        ("threat", r"\bsee what happens\b"),
        ("threat", r"\b(?:i'll|i will|i'm going to|gonna) (?:make (?:sure )?you (?:pay|regret|suffer)|find you)\b|"
         r"\byou(?:'ll| will) (?:regret|pay for) (?:this|it)\b"),
        ("threat", r"\b(?:people|someone|scum|idiots) like you (?:should|deserve to|ought to|need to) (?:be|get)\b"),
        ("threat", r"\b(?:(?:deserve|ought|need) to|should) be (?:beaten|shot|punched|hurt|killed|slapped)\b"),
        ("wishing harm", r"\b(?:rot|burn) in hell\b|\bgo (?:and )?die\b|\bdie in a ditch\b|\bget cancer\b|"
         r"\b(?:kill|hang|shoot) yourselves?\b|\bkys\b|\bdie in a fire\b|\bdrop dead\b|\b(?:and )?die\b\.?$|"
         r"\bhope (?:you|your \w+|someone) (?:\w+ ){0,3}(?:dies?|die|gets? (?:sick|cancer|hurt|fired)|lose your|rapes?|burns?)|"
         r"\bhope (?:you|your (?:\w+ ){1,2}|he|she|they|someone)\s*(?:all\s+)?(?:" + _NOT + r"\w+ ){0,3}?"
         r"(?:rots?|chokes?|burns?|suffers?|drowns?|falls? out of the sky|crash(?:es)? with (?:you|your \w+) on)\b"),
        ("sexual violence", r"\brapes?\b|\braped\b"),
        ("profanity aimed at a person", r"\b(?:fuck|screw|sod|f\*+k|f\*\*\*) (?:you|off|u|yourselves|yourself)\b|"
         r"\bgo to hell\b|\beat shit\b|\bup your (?:arse|ass)\b|\bshut (?:up(?! and take my money)|your mouth|your face)\b|\bgo fuck\b|"
         r"\bstick it up\b|\bshove (?:it|your \w+)\b|\bfuck (?:your|ur) \w+"),
        # The few words that are insults in the covered non-English languages.
        ("insult aimed at a person", r"\b(?:du|sie) (?:\w+ )?(?:idiot|arschloch|vollidiot|depp|trottel|penner)\b|"
         r"\b(?:arschloch|vollidiot|wichser|hurensohn|connard|connasse|salope|enculé|hijo de puta|gilipollas|"
         r"cabrón|pendejo|imbécil|vaffanculo|stronzo|coglione|klootzak|kankerlijer|lul|filho da puta|idiota)\b"),
    )
)  # fmt: skip

_AIMED_RE = re.compile(rf"\b{_TARGET}\b", re.IGNORECASE)


# A message without any of these words cannot match a rule, so most messages skip the rules.
_ANCHORS_TEXT = """idiot idiots moron morons imbecile imbeciles cretin cretins clown clowns muppet muppets loser losers prick
    pricks wanker wankers tosser tossers twat twats cunt cunts bastard bastards bitch bitches slag slags slut sluts
    whore whores scumbag scumbags scum dickhead dickheads asshole assholes arsehole arseholes retard retards
    retarded monkey monkeys pig pigs cow cows thieves thief crook crooks liar liars nazi nazis parasite parasites
    vermin trash garbage piece excuse waste stupid useless incompetent worthless pathetic brain braindead brainless
    clueless dumb ignorant thick lying thieving miserable rude fat ugly disgusting bunch know watch burn smash kill
    hurt beat stab shoot break wreck torch outside happens deserve ought beaten shot punched killed slapped kys die
    dead dies hope rape rapes raped worm worms fool fools rat rats filthy greedy lazy little
    regret pay suffer find like should fuck screw sod hell shit arse ass shut stick shove kill hang yourself
    yourselves idiota arschloch vollidiot wichser hurensohn depp trottel penner connard connasse salope enculé
    puta gilipollas cabrón pendejo imbécil vaffanculo stronzo coglione klootzak kankerlijer lul
    halfwit halfwits weasel weasels coward cowards cowboys creep creeps pervert perverts thug thugs numpty numpties
    twit twits subhuman subhumans dimwit dimwits nitwit nitwits buffoon buffoons dunce dunces
    knobhead knobheads dipshit dipshits jackass jackasses snake snakes leeches cockroaches plonker plonkers
    simpleton simpletons psycho psychos lowlife lowlifes degenerate degenerates amateurs spineless gutless nasty
    smug vile blind deaf staffed rot rots burns choke chokes suffers drown drowns sky crash crashes cancer ditch
    punch slap smack kick deck beating kicking hiding medicine lesson waiting illiterate"""
_ANCHORS = frozenset(_ANCHORS_TEXT.split())


def find_abuse(text: str) -> tuple[str, ...]:
    """What makes ``text`` abusive (empty when it is not): rule names and trigger words."""
    triggers: list[str] = []
    lowered = text.lower()
    words = set(_WORD_RE.findall(lowered))
    if "*" in text or not words.isdisjoint(_ANCHORS):
        for name, pattern in _RULES:
            match = pattern.search(text)
            if match:
                triggers.append(f"{name}: “{match.group(0).strip()}”")
                break
    probability, pulls = _profanity_model().score(text)
    if probability >= PROFANITY_THRESHOLD and not triggers:
        # A profane word counts when a target sits within a few words of it.
        tokens = _TOKEN_RE.findall(text.lower())
        for word, pull in pulls[:3]:
            if pull <= 0.5:
                break
            for i, token in enumerate(tokens):
                if token != word:
                    continue
                window = " ".join(tokens[max(0, i - 4) : i + 4])
                if _AIMED_RE.search(window) and not _SAFE_RE.search(text):
                    triggers.append(f"profanity aimed at a person: “{word}” (model {probability:.2f})")
                    break
            if triggers:
                break
    return tuple(triggers)


# Strong words that are exclamations, not attacks ("are you fucking kidding me").
_SAFE_RE = re.compile(
    r"\bare you (?:\w+ )?(?:kidding|joking|serious)\b|\bno worries\b|"
    r"\b(?:i'm|i am|i was|i feel|i felt|me feel|me look|think i'm|think i am) (?:\w+ ){0,2}(?:stupid|an idiot|a fool|dumb|thick)\b|"
    r"\bshit happens\b|\bfucking (?:brilliant|great|amazing|love)",
    re.IGNORECASE,
)
