"""What customers commonly praise in service, as a few plain phrases per aspect.

The embedding grouping compares each answer with these (by meaning, not words): an answer close
enough to one aspect starts in that aspect's group; answers close to none are clustered freely,
so a campaign's own themes (a product, a place, a person) still come out as themes of their own.
The list is the usual service-quality dimensions (responsiveness, empathy, reliability,
assurance, price, product quality, returns), worded for Goodwill, not taken from any answers.
"""

from __future__ import annotations

import re

import numpy as np

ASPECTS: dict[str, list[str]] = {
    "speed": [
        "fast responses and quick answers",
        "problems are solved quickly without waiting",
        "they reply promptly, the same day",
        "I never have to chase them",
    ],
    "people": [
        "friendly, kind and patient staff",
        "the people are warm, polite and caring",
        "a human who listens and understands me",
        "they calmed me down and were understanding",
    ],
    "quality": [
        "the products are well made and last long",
        "high quality goods that work well",
        "good materials and craftsmanship",
    ],
    "price": [
        "fair prices and good value for money",
        "cheap, affordable, discounts and deals",
        "it does not cost too much",
        "no extra charges on the bill",
    ],
    "returns": [
        "easy returns and refunds",
        "I can send things back and get my money back without hassle",
        "exchanges are simple",
    ],
    "reliability": [
        "orders always arrive on time",
        "everything works reliably and consistently",
        "delivery is dependable, no mistakes",
        "I can count on them",
    ],
    "expertise": [
        "knowledgeable staff who know the product",
        "expert advice and competent help with technical questions",
        "good recommendations on what to buy",
    ],
    "trust": [
        "honest and transparent, I can trust them",
        "they keep their promises and tell the truth",
        "no tricks, no pushy selling, they are open about mistakes",
    ],
}

# The same aspects as word stems, in English, German, French and Spanish, for the keyword method
# and for answers the English model cannot read. A stem of five letters or more counts for every
# word it begins ("reliab" → "reliable"); a shorter one only for itself and its plural; one with
# a space for that phrase.
ASPECT_WORDS: dict[str, list[str]] = {
    "speed": [
        "fast",
        "quick",
        "prompt",
        "speed",
        "rapid",
        "swift",
        "wait",
        "minute",
        "hour",
        "same-day",
        "same day",
        "turnaround",
        "immediate",
        "instant",
        "respon",
        "reply",
        "replies",
        "chase",
        "schnell",
        "sofort",
        "warte",
        "rapide",
        "vite",
        "attente",
        "rápid",
        "pronto",
        "esper",
    ],
    "people": [
        "friendly",
        "kind",
        "patient",
        "polite",
        "warm",
        "caring",
        "care",
        "human",
        "people",
        "staff",
        "team",
        "person",
        "empath",
        "courte",
        "cheerful",
        "lovely",
        "nice",
        "listen",
        "respect",
        "understanding",
        "freundlich",
        "nett",
        "geduld",
        "menschen",
        "gentil",
        "aimable",
        "écoute",
        "gens",
        "amable",
        "simpátic",
        "gente",
        "personal",
    ],
    "quality": [
        "quality",
        "well made",
        "well-made",
        "durable",
        "last",
        "sturdy",
        "material",
        "craft",
        "build",
        "built",
        "product",
        "solid",
        "premium",
        "qualität",
        "hochwertig",
        "qualité",
        "calidad",
        "duradero",
    ],
    "price": [
        "price",
        "cheap",
        "afford",
        "value",
        "money",
        "cost",
        "discount",
        "deal",
        "fair",
        "expensive",
        "charge",
        "fee",
        "bargain",
        "budget",
        "preis",
        "günstig",
        "billig",
        "prix",
        "cher",
        "precio",
        "barato",
        "oferta",
    ],
    "returns": [
        "return",
        "refund",
        "send back",
        "sent back",
        "exchange",
        "money back",
        "rücksend",
        "rückgabe",
        "umtausch",
        "erstatt",
        "retour",
        "rembourse",
        "échange",
        "devoluc",
        "devolv",
        "reembols",
        "cambio",
    ],
    "reliability": [
        "reliab",
        "on time",
        "consisten",
        "dependab",
        "count on",
        "always works",
        "deliver",
        "arrive",
        "late",
        "mistake",
        "error",
        "never fail",
        "depend",
        "zuverläss",
        "pünktlich",
        "lieferung",
        "fiable",
        "ponctuel",
        "livraison",
        "puntual",
        "entrega",
    ],
    "expertise": [
        "know",
        "knew",
        "expert",
        "advice",
        "advis",
        "recommend",
        "competen",
        "technical",
        "skill",
        "understood",
        "specialist",
        "informed",
        "explain",
        "workaround",
        "fachkund",
        "beratung",
        "kompetent",
        "conseil",
        "compéten",
        "experto",
        "consejo",
        "asesor",
    ],
    "trust": [
        "trust",
        "honest",
        "transparen",
        "truth",
        "upfront",
        "open about",
        "promise",
        "hidden",
        "tricks",
        "small print",
        "upsell",
        "integrity",
        "straight",
        "ehrlich",
        "vertrau",
        "honnête",
        "confiance",
        "confianza",
        "sincer",
    ],
}


def _stems() -> list[tuple[str, str]]:
    return [(aspect, stem) for aspect, stems in ASPECT_WORDS.items() for stem in stems]


WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?", re.UNICODE)


def aspect_hits(text: str) -> np.ndarray:
    """How many of each aspect's stems the text holds, in the order of ASPECT_WORDS."""
    words = WORDS.findall(text.lower())
    padded = f" {' '.join(words)} "
    names = list(ASPECT_WORDS)
    hits = np.zeros(len(names), dtype=np.int64)
    for aspect, stem in _stems():
        if " " in stem:
            count = int(f" {stem} " in padded)
        elif len(stem) >= 5:
            count = sum(word.startswith(stem) for word in words)
        else:
            count = sum(word in (stem, stem + "s") for word in words)
        hits[names.index(aspect)] += count
    return hits
