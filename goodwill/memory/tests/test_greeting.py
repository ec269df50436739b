from datetime import date

import pytest

from goodwill.customers.services import update_customer
from goodwill.memory.selectors import greeting_hint, next_occurrence
from goodwill.memory.services import add_fact, mark_outdated

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 1)


def test_the_hint_has_the_preferred_name_and_the_most_relevant_facts(agent, customer):
    update_customer(customer, by=agent, preferred_name="Mia", pronunciation="MEE-ah")
    add_fact(customer, category="other", text="Account since 2019", by=agent)
    add_fact(customer, category="family", text="Daughter Lucy", by=agent)
    add_fact(customer, category="likes", text="Likes dark roast", by=agent)
    add_fact(customer, category="accessibility", text="Hard of hearing: write, do not call", by=agent)
    old = add_fact(customer, category="family", text="Lives with her parents", by=agent)
    mark_outdated(old, by=agent)
    hint = greeting_hint(agent, customer, today=TODAY)
    assert (hint.name, hint.pronunciation) == ("Mia", "MEE-ah")
    assert [fact.text for fact in hint.facts] == [
        "Hard of hearing: write, do not call",
        "Daughter Lucy",
        "Likes dark roast",
    ]
    assert hint.reminders == []


def test_it_reminds_of_an_important_date_in_the_next_days(agent, customer, settings):
    settings.GOODWILL_MEMORY_REMINDER_DAYS = 14
    add_fact(customer, category="date", text="Daughter's wedding", date=date(2020, 5, 12), by=agent)
    add_fact(customer, category="date", text="Birthday", date=date(1980, 9, 1), by=agent)
    hint = greeting_hint(agent, customer, today=TODAY)
    assert [(r.fact.text, r.on, r.days) for r in hint.reminders] == [
        ("Daughter's wedding", date(2026, 5, 12), 11)
    ]
    assert [fact.text for fact in hint.facts] == ["Birthday"]


def test_there_is_no_hint_for_a_customer_we_know_nothing_about(agent, customer):
    assert not greeting_hint(agent, customer, today=TODAY)


def test_a_yearly_date_comes_round_again():
    assert next_occurrence(date(1990, 12, 24), date(2026, 12, 25)) == date(2027, 12, 24)
    assert next_occurrence(date(1992, 2, 29), date(2027, 1, 1)) == date(2027, 2, 28)
    assert next_occurrence(date(1990, 5, 1), date(2026, 5, 1)) == date(2026, 5, 1)
