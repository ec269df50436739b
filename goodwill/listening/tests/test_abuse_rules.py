"""The abuse check reaches insults without the usual trigger words (staff named in the third
person, an insult as a sentence of its own, wishes of harm, threats), and still leaves alone
strong words about a thing, self-blame, praise and complaints about staff."""

import pytest

from goodwill.listening.engine import analyze_message
from goodwill.listening.engine.abuse import find_abuse


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Staff named in the third person, with "is/are/was".
        ("Your receptionist was a vile little cow on the phone.", "insult"),
        ("The technician you sent is a clueless halfwit.", "insult"),
        ("Your driver Steve is a thug.", "insult"),
        ("Moderators are gutless cowards.", "insult"),
        ("Your installers were a pack of cowboys.", "insult"),
        ("Whoever built this checkout is a brainless dimwit.", "insult"),
        ("You lot are lowlifes.", "insult"),
        ("You're all liars and leeches.", "insult"),
        # "you" with an intensifier, a question, a sentence of its own.
        ("You utter buffoon, read my email again.", "insult"),
        ("Are you blind or just lazy? It's in the attachment.", "insult"),
        ("Who trained these muppets?", "insult"),
        ("Still broken after three calls. Idiots!", "insult"),
        ("Clowns, the lot of you.", "insult"),
        ("Your helpline is run by dimwits.", "insult"),
        # Wishes of harm and threats without swear words.
        ("I hope your boss chokes on his lunch.", "harm"),
        ("I hope you all rot.", "harm"),
        ("Burn in hell.", "harm"),
        ("Go and die, seriously.", "harm"),
        ("I hope your plane falls out of the sky.", "harm"),
        ("I'll find out where you work.", "threat"),
        ("Somebody should slap that manager of yours.", "threat"),
        ("Your driver deserves a proper kicking.", "threat"),
        ("Someone should teach him a lesson.", "threat"),
        ("I'll be waiting for you after your shift.", "threat"),
    ],
)
def test_insults_and_threats_without_trigger_words_are_abuse(text, rule):
    triggers = find_abuse(text)
    assert triggers, text
    assert rule in triggers[0]
    assert analyze_message(text).abusive


@pytest.mark.parametrize(
    "text",
    [
        # Staff named, but praised or complained about without an insult.
        "Your driver was rude and left my parcel in the rain.",
        "The delivery driver left garbage all over my drive.",
        "Your engineer was a lifesaver, not like the cowboys we had before.",
        "Your waiter was a star, please thank him.",
        "The engineer said the old boiler is a piece of junk.",
        "Whoever wrote the new guide deserves a medal.",
        "Devs are working on it, they said, but that was a week ago.",
        "Is the manager in today or off?",
        "Is the manager rude or just busy? Nobody called back.",
        # Self-blame and thoughts about oneself.
        "I'm such an idiot, I typed the wrong postcode.",
        "I feel stupid asking, but how do I reset my password?",
        "You must think I'm stupid if you believe that excuse.",
        # Third parties, things, and harmless wishes.
        "These idiots in my building keep taking parcels from the hall.",
        "Amateurs. The whole release is broken.",
        "I hope your team gets some rest after the launch.",
        "I hope the servers do not crash again tonight.",
        "I hope the fire at your warehouse didn't hurt anyone.",
        # Violent verbs about processes, and stock phrases.
        "I'll kill the process and try the import again.",
        "Somebody should hit the reset button on this whole thing.",
        "The parcel took a beating in transit.",
        "Shut up and take my money, this looks amazing.",
        "Screw it, I'll just reorder the blue one.",
    ],
)
def test_praise_complaints_and_strong_words_about_things_are_not_abuse(text):
    assert find_abuse(text) == (), text
    assert not analyze_message(text).abusive


def test_a_wish_of_harm_is_named_as_such_and_makes_the_message_negative():
    a = analyze_message("Your CEO is a greedy pig and I hope he rots.")
    assert a.abusive and a.polarity == "neg"
    assert any("insult" in t or "harm" in t for t in a.abuse_triggers)
