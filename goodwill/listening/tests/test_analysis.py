"""Behaviour of analyze_message: each rule, and what must not be called abuse."""

import pytest

from goodwill.listening.engine import EMOTIONS, MODEL_VERSION, analyze_message


def test_it_reads_a_complaint_with_please_and_thanks_as_negative():
    a = analyze_message("My parcel still hasn't arrived after two weeks. Please sort it out, thanks.")
    assert a.scored and a.polarity == "neg"
    assert "thanks ignored in a complaint" in a.cues
    assert a.emotions["gratitude"] < 0.5


def test_it_reads_thanks_for_something_as_positive():
    a = analyze_message("Thanks for the quick fix yesterday, everything works again.")
    assert a.polarity == "pos"
    assert a.emotions["gratitude"] >= 0.5


def test_it_reads_a_chasing_any_update_as_negative():
    a = analyze_message("any update??")
    assert a.language == "en" and a.polarity == "neg"
    assert a.emotions["frustration"] >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Oh great, another cancelled flight. Just what I needed on my anniversary.",
        "Thanks a lot for charging me twice. Really helpful.",
        "Six weeks for a refund. Stellar. Truly world-class.",
    ],
)
def test_it_reads_sarcasm_as_negative(text):
    a = analyze_message(text)
    assert "sarcasm" in a.cues
    assert a.polarity == "neg"
    assert a.emotions["joy"] < 0.5


def test_it_follows_negation():
    assert analyze_message("Not happy. The shoes fell apart in a week.").polarity == "neg"
    assert analyze_message("Not bad at all, the dog actually eats it now").polarity == "pos"
    assert analyze_message("The report doesn't load, not in Chrome and not in Firefox.").polarity == "neg"


def test_it_reads_reassurance_as_calm_not_upset():
    a = analyze_message("No problem at all, I can wait another day.")
    assert a.polarity == "neu"


def test_shouting_makes_a_message_more_negative_and_angrier():
    calm = analyze_message("Where is my order")
    loud = analyze_message("WHERE IS MY ORDER")
    assert "shouting" in loud.cues
    assert loud.sentiment is not None and calm.sentiment is not None
    assert loud.sentiment < calm.sentiment
    assert loud.emotions["anger"] > calm.emotions["anger"]


def test_it_ignores_quoted_history_and_signature():
    text = (
        "Hi,\n\nStill no refund for flight GW123. I have now asked four times.\n\nRegards\nMarc\n\n"
        "On Mon, 2 Nov 2026 at 14:03, Airline Care <care@air.example> wrote:\n"
        "> Dear Marc, thank you! We are delighted, your refund is wonderful news. Have a great day!\n"
    )
    a = analyze_message(text)
    assert "delighted" not in a.text and "Marc" not in a.text
    assert a.polarity == "neg"


def test_a_happy_reply_is_not_soured_by_the_complaint_it_quotes():
    text = (
        "Got the replacement today and it works fine now. Really appreciate the help!\n\n"
        "On Tue, 4 Nov 2026 at 09:12, Shop Support <help@shop.example> wrote:\n"
        "> We are so sorry the kettle arrived broken. This is terrible and unacceptable.\n"
    )
    a = analyze_message(text)
    assert a.polarity == "pos"
    assert "unacceptable" not in a.text


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("You people are a bunch of incompetent clowns.", "insult"),
        ("Listen here you stupid cow, put me through to your manager.", "insult"),
        ("I know where your office is. Keep ignoring me and see what happens.", "threat"),
        ("I'm going to come down there and smash your shop up.", "threat"),
        ("Fuck you and your fucking company.", "profanity"),
        ("Hope your kids get sick like mine did.", "harm"),
    ],
)
def test_it_flags_abuse_and_names_what_triggered_it(text, rule):
    a = analyze_message(text)
    assert a.abusive
    assert any(rule in trigger for trigger in a.abuse_triggers)
    assert a.polarity == "neg"


@pytest.mark.parametrize(
    "text",
    [
        "The bloody thing broke after a week.",
        "I'm furious. You charged me for three months after I cancelled.",
        "Shit happens, no worries. Just let me know when the engineer can come back.",
        "Can you kill the sync process on my account? It has been stuck since this morning.",
        "How do I kill the final boss without the fire sword?",
        "Fucking brilliant service, mate, the wheel's perfect.",
        "Are you fucking kidding me? Another price rise?",
        "What the hell, the box was empty.",
    ],
)
def test_strong_words_that_are_not_aimed_at_anyone_are_not_abuse(text):
    assert not analyze_message(text).abusive


def test_insults_in_other_languages_are_flagged_though_not_scored():
    a = analyze_message("Du Idiot, wo ist mein Paket? Ich warte seit drei Wochen auf meine Bestellung.")
    assert a.language == "de" and not a.scored
    assert a.abusive


def test_a_short_text_the_models_cannot_place_is_left_unnamed_not_guessed():
    a = analyze_message("Eres un inútil y un imbécil.")
    assert a.language in {None, "es"}
    assert not a.scored and a.reason
    assert a.abusive


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hallo, meine Bestellung ist immer noch nicht angekommen. Können Sie bitte nachsehen?", "de"),
        ("Bonjour, je voudrais savoir si le petit-déjeuner est inclus dans ma réservation.", "fr"),
        ("Hola, ¿puedo cambiar mi clase del martes al jueves? Gracias.", "es"),
        ("Dzień dobry, moje zamówienie nie dotarło. Proszę o pomoc.", "pl"),
        ("予約の変更をお願いできますか？", None),
    ],
)
def test_languages_the_models_do_not_cover_are_not_scored(text, language):
    a = analyze_message(text)
    assert a.language == language
    assert not a.scored
    assert a.reason
    assert a.sentiment is None and a.polarity is None and a.emotions == {}


def test_an_english_message_has_every_emotion_in_range_and_the_model_version():
    a = analyze_message("I'm scared I've been scammed. Please freeze my card right now!")
    assert a.model_version == MODEL_VERSION
    assert set(a.emotions) == set(EMOTIONS)
    assert all(0.0 <= v <= 1.0 for v in a.emotions.values())
    assert a.sentiment is not None and -1.0 <= a.sentiment <= 1.0
    assert a.emotions["anxiety"] >= 0.5


def test_it_finds_urgency_cues_and_respects_not_urgent():
    urgent = analyze_message("Our site is down and we are losing orders. Please help ASAP!")
    calm = analyze_message("No rush at all, but could you look at the duplicate invoices?")
    assert urgent.urgency >= 0.5 and "urgent" in urgent.urgency_cues
    assert calm.urgency < 0.5


def test_an_empty_message_is_not_scored():
    a = analyze_message("   ")
    assert not a.scored and a.language is None


def test_as_dict_is_json_ready():
    import json

    data = analyze_message("Thank you so much, the cake was perfect!").as_dict()
    assert json.loads(json.dumps(data))["polarity"] == "pos"


def test_a_huge_message_is_read_from_its_start_without_stalling():
    text = "My order still hasn't arrived and nobody answers. " * 20_000
    a = analyze_message(text)
    assert a.polarity == "neg"
    assert len(a.text) <= 5000
