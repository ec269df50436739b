"""Write answers.jsonl from the hand-written lists below (kept as Python for readable diffs).

Interview answers to "What keeps you coming back?", "Which experiences with us mean the most to
you?" and "What matters most to you in great service?", in many voices, each labelled with the
theme a careful reader would put it in ("" = off-topic: no theme). Written for this repository.
"""

from __future__ import annotations

import json
from pathlib import Path

THEMES: dict[str, list[str]] = {
    "speed": [
        "You answer within the hour, every single time.",
        "Quick replies. I never wait days for an answer like with other shops.",
        "Honestly it's the speed. I write in the morning and it's sorted by lunch.",
        "When my order was wrong you fixed it the same day.",
        "Fast response times, that's the main thing for me.",
        "I get an answer before I've even finished my coffee.",
        "You reply fast, even on weekends.",
        "No waiting around. Problems get solved quickly.",
        "The chat answered in two minutes when my card was declined.",
        "Rapid turnaround on support questions.",
        "I like that I don't have to chase you for an answer.",
        "Response time. My time is precious and you respect that.",
        "Things move quickly here, nobody lets a ticket sit for a week.",
        "Support got back to me within minutes when the app crashed before my presentation.",
        "Prompt answers, always.",
        "It's fast. Question in, answer out, done.",
        "Same-day solutions to whatever I throw at you.",
        "Schnelle Antworten, immer am selben Tag.",
    ],
    "people": [
        "The people. Anna in support remembers my name and my dog's name.",
        "Your staff are genuinely kind and never make me feel stupid.",
        "Friendly, warm people who actually listen.",
        "Tom on the phone was so patient with my dad when he couldn't log in.",
        "I feel like I'm talking to a friend, not a call centre.",
        "Everyone is polite and cheerful, even when I'm grumpy.",
        "The human touch. Real people who care.",
        "Your team treats me with respect, which is rare these days.",
        "Being greeted by name and asked how my move went.",
        "The agent who stayed on the line until my daughter's laptop worked again.",
        "Kind staff. That's it, that's the answer.",
        "They are so patient and never rush me off the phone.",
        "Personal attention from people who clearly like their job.",
        "Your support folks are lovely and empathetic.",
        "When I was upset, Maria calmed me down and was really understanding.",
        "The courtesy and warmth of everyone I've dealt with.",
        "Les gens sont très gentils et à l'écoute.",
        "I trust the people, they are always courteous.",
    ],
    "quality": [
        "The products just last. My kettle is eight years old.",
        "Quality. Everything I buy from you is well made.",
        "Your lamps are beautifully built and never break.",
        "Great product quality compared to the cheap stuff elsewhere.",
        "The materials are solid and it shows.",
        "I keep buying because the items are durable.",
        "The craftsmanship of the furniture is excellent.",
        "Well designed products that work out of the box.",
        "Nothing I've bought has ever broken, which says a lot.",
        "High-quality goods, worth every penny of the build.",
        "The fabric on the cushions still looks new after years.",
        "Reliable, sturdy products. That's why I come back.",
        "Your tools are better made than any others I've owned.",
        "I love the product itself, it's simply very good.",
        "Top quality stuff, robust and nicely finished.",
        "The build quality of the headphones is outstanding.",
        "Excellent products that hold up to daily use.",
    ],
    "price": [
        "Fair prices and no hidden fees.",
        "Good value for money, especially the member discount.",
        "You're not the cheapest but the price is honest.",
        "Affordable prices and regular sales I can count on.",
        "The loyalty points make it worth coming back.",
        "Reasonable pricing compared to the big stores.",
        "Free shipping over thirty euros keeps me ordering.",
        "The subscription is cheap for what I get.",
        "Transparent pricing, I always know what I'll pay.",
        "Discount codes for regulars, that's nice.",
        "It's good value. I pay a fair price for a good thing.",
        "No surprise charges on the invoice, ever.",
        "The price match promise saved me money twice.",
        "Cheaper than the competition and just as good.",
        "Value for money is what brings me back.",
        "Precios justos y sin sorpresas.",
        "Your bundle deals are great value.",
        "The prices are fair for families like ours.",
    ],
    "returns": [
        "Returns are painless, no questions asked.",
        "When something didn't fit, the refund came in two days.",
        "Easy exchanges. I just print the label and drop it off.",
        "The refund process is quick and hassle-free.",
        "You took back a broken vase without making me prove anything.",
        "Hassle-free returns, that's what matters to me.",
        "I got my money back immediately when the parcel was lost.",
        "Free returns mean I can order without worrying.",
        "The 60-day return window is generous.",
        "Swapping the wrong size was simple and fast.",
        "You refunded me even though it was my mistake.",
        "A smooth return and refund when the blender stopped working.",
        "No arguing about refunds, ever.",
        "Exchanges are easy and the replacement came quickly.",
        "Getting a refund is easier with you than anywhere else.",
        "Returning items is straightforward and free.",
        "Rücksendungen sind unkompliziert und kostenlos.",
    ],
    "reliability": [
        "Deliveries always arrive when you say they will.",
        "You keep your promises. If you say Friday, it's Friday.",
        "Orders are always complete and on time.",
        "Reliable delivery, I can plan around it.",
        "The parcel tracking is accurate and the courier turns up.",
        "I can count on you, things just work.",
        "Consistent service every time, no nasty surprises.",
        "You do what you say you'll do.",
        "My weekly order has never once been late.",
        "Dependable. The service is the same every time.",
        "Items arrive well packed and on the promised day.",
        "When you promised a call back, I got the call back.",
        "Punctual deliveries and correct orders.",
        "Never had a missing item in three years of orders.",
        "The service is consistent and dependable.",
        "Everything arrives exactly when expected.",
        "You always keep your word about delivery dates.",
    ],
    "expertise": [
        "Your staff really know the products and give good advice.",
        "The advice on which camera to buy was spot on.",
        "Knowledgeable support that solves technical problems first time.",
        "They understood my network problem immediately and knew the fix.",
        "Expert help choosing the right size of heat pump.",
        "The engineer explained things clearly and knew his stuff.",
        "I get real answers from people who understand the product.",
        "Competent support, not someone reading a script.",
        "Your guides and tips helped me use the software properly.",
        "The technician diagnosed the fault over the phone.",
        "Good recommendations. You steered me away from the wrong model.",
        "Your team's technical knowledge is impressive.",
        "Helpful, well-informed advice before I bought.",
        "They knew exactly which part I needed.",
        "Clear explanations from experts.",
        "The support person understood the bug and had a workaround ready.",
        "Fachkundige Beratung, die wirklich hilft.",
    ],
    "trust": [
        "You're honest, even when the answer is no.",
        "I trust you with my data because you explain what you do with it.",
        "You told me the cheaper option would do, which built trust.",
        "Honesty. You admitted the mistake and put it right.",
        "I feel I can trust what you tell me.",
        "Transparency about delays instead of excuses.",
        "You never try to upsell me things I don't need.",
        "When something went wrong you owned up to it straight away.",
        "Straight talk and no marketing nonsense.",
        "I believe what you say, that's rare.",
        "Being open about what happened with the outage earned my trust.",
        "You're upfront about stock, no fake availability.",
        "The honesty of the team when my repair wasn't worth it.",
        "I value that you're truthful even when it costs you a sale.",
        "Trustworthy company with integrity.",
        "You explained the problem honestly rather than hiding it.",
        "No tricks, no small print: I know where I stand with you.",
    ],
}

OFF_TOPIC = [
    "Not sure, I just like it.",
    "n/a",
    "My cat walked on the keyboard, sorry.",
    "Can you tell me when the winter catalogue comes out?",
    "What is my order number again?",
    "No comment.",
    "The weather has been terrible this week.",
    "I saw your ad on the bus.",
    "Please update my address to 12 Harbour Road.",
    "idk",
    "Is the shop open on Sunday?",
    "Test test.",
    "I have nothing to add today.",
]


def rows() -> list[dict[str, str]]:
    out = []
    for theme, texts in THEMES.items():
        for number, text in enumerate(texts):
            out.append({"id": f"{theme}-{number:02d}", "text": text, "theme": theme})
    for number, text in enumerate(OFF_TOPIC):
        out.append({"id": f"off-{number:02d}", "text": text, "theme": ""})
    return out


if __name__ == "__main__":
    target = Path(__file__).with_name("answers.jsonl")
    with target.open("w", encoding="utf-8") as handle:
        for row in rows():
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows())} answers written to {target}")
