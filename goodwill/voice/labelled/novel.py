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

# A dev set of its own, with three other themes outside the aspects, to tune on (novel_dev.jsonl).
DEV_THEMES: dict[str, list[str]] = {
    "store": [
        "The shop on Main Street is bright and smells of fresh coffee.",
        "Your stores are calm, tidy and nicely laid out.",
        "I enjoy browsing in the physical shop on a Saturday.",
        "The fitting rooms are spacious with good mirrors.",
        "There is always parking right outside the store.",
        "Music in the shop is not too loud, I can think.",
        "Der Laden ist gemütlich und schön eingerichtet.",
        "The café corner inside the store is my favourite spot.",
    ],
    "range": [
        "You stock everything I need, from cables to coffee filters.",
        "Huge selection, I never have to go anywhere else.",
        "The range of sizes, even for tall people like me.",
        "You carry brands nobody else sells here.",
        "New products every month, there is always something to discover.",
        "Wide choice of colours for every model.",
        "Tienen una gran variedad de productos.",
        "Vegan and gluten-free options in every category.",
    ],
    "community": [
        "The newsletter has genuinely useful tips and recipes.",
        "Your workshops on Saturday mornings taught me to knit.",
        "The online community forum where customers help each other.",
        "I love the blog posts and the how-to videos.",
        "Local events and meetups you organise for customers.",
        "You sponsor our kids' football club, that means a lot.",
        "The podcast is fun to listen to on my commute.",
        "Customer stories in the magazine make me feel part of something.",
    ],
    "price": [
        "Good prices and regular discounts.",
        "Affordable, fair value for what I pay.",
        "Cheaper than anywhere else in town.",
    ],
    "returns": [
        "Returning things is easy and free.",
        "I got my refund within two days.",
        "Exchanges without any fuss.",
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


def dev_rows() -> list[dict[str, str]]:
    out = [
        {"id": f"novdev-{theme}-{number:02d}", "text": text, "theme": theme}
        for theme, texts in DEV_THEMES.items()
        for number, text in enumerate(texts)
    ]
    return out + [
        {"id": "novdev-off-00", "text": "Where is my parcel?", "theme": ""},
        {"id": "novdev-off-01", "text": "no comment", "theme": ""},
    ]


if __name__ == "__main__":
    for name, made in (("novel.jsonl", rows()), ("novel_dev.jsonl", dev_rows())):
        target = Path(__file__).with_name(name)
        with target.open("w", encoding="utf-8") as handle:
            for row in made:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{len(made)} answers written to {target}")
