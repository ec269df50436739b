"""Write novel.jsonl: interview answers whose themes are NOT among the service aspects the
grouping is seeded with (voice/aspects.py), to measure how it does on a campaign's own themes.

Written after the grouping's settings were chosen, and never used to tune them: it is a second
held-out set. Three themes outside the aspect list (the app and website, packaging and the
environment, the loyalty programme), two inside it (speed, people) so the seeds have something to
hold, and a few off-topic answers ("" = no theme).
"""

from __future__ import annotations

import json
from pathlib import Path

THEMES: dict[str, list[str]] = {
    "app": [
        "The app is so easy to use, I reorder in three taps.",
        "Your website is clean and I find things without searching forever.",
        "Checkout on the phone just works, no crashes.",
        "I like the new app design, the dark mode is lovely.",
        "Saved baskets on the website save me a lot of clicks.",
        "The mobile app remembers my sizes and my address.",
        "Search on the site actually finds what I type, even with typos.",
        "Logging in with my fingerprint on the app is brilliant.",
        "The online account page shows all my past orders neatly.",
        "Die App ist übersichtlich und stürzt nie ab.",
    ],
    "green": [
        "Packaging is all paper and cardboard, no plastic at all.",
        "I care about the planet and you ship in recycled boxes.",
        "Less waste: the parcels are the right size, not huge boxes with air.",
        "You take old devices back for recycling, that matters to me.",
        "Carbon-neutral shipping was the reason I switched to you.",
        "The compostable mailers are a nice touch.",
        "Sustainable sourcing and you publish where things come from.",
        "I like that you repair products instead of telling me to throw them away.",
        "L'emballage est recyclable, sans plastique.",
        "Eco-friendly packaging, minimal and reusable.",
    ],
    "loyalty": [
        "The points programme, I save up and get a free bag every year.",
        "Member perks like early access to the sale.",
        "Birthday voucher every year, it makes me smile.",
        "Collecting stamps on the loyalty card keeps me coming.",
        "As a gold member I get little extras in the parcel.",
        "Rewards add up quickly and they never expire.",
        "The members' club evenings at the store are fun.",
        "Free gift after every tenth order.",
        "El programa de puntos, acumulo y canjeo por regalos.",
        "Loyalty rewards that are actually worth something.",
    ],
    "speed": [
        "You always answer my emails within an hour.",
        "Quick help when I needed it, no waiting on hold.",
        "Same-day answers every time I write.",
        "Problems fixed fast, that's all I ask.",
    ],
    "people": [
        "The staff are warm and patient with me.",
        "Friendly people who remember me.",
        "Lovely team, always kind on the phone.",
        "Your agents are polite and really listen.",
    ],
}

OFF_TOPIC = [
    "Can I change my delivery address?",
    "nothing",
    "What time do you close on Saturdays?",
    "My cat says hi.",
]


def rows() -> list[dict[str, str]]:
    out = []
    for theme, texts in THEMES.items():
        for number, text in enumerate(texts):
            out.append({"id": f"novel-{theme}-{number:02d}", "text": text, "theme": theme})
    for number, text in enumerate(OFF_TOPIC):
        out.append({"id": f"novel-off-{number:02d}", "text": text, "theme": ""})
    return out


if __name__ == "__main__":
    target = Path(__file__).with_name("novel.jsonl")
    with target.open("w", encoding="utf-8") as handle:
        for row in rows():
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows())} answers written to {target}")
