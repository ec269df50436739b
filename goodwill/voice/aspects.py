"""What customers commonly praise in service, as a few plain phrases per aspect.

The embedding grouping compares each answer with these (by meaning, not words): an answer close
enough to one aspect starts in that aspect's group; answers close to none are clustered freely,
so a campaign's own themes (a product, a place, a person) still come out as themes of their own.
The list is the usual service-quality dimensions (responsiveness, empathy, reliability,
assurance, price, product quality, returns), worded for Goodwill, not taken from any answers.
"""

from __future__ import annotations

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
