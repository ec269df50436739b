import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goodwill.memory.models import Fact, FactRevision
from goodwill.memory.selectors import facts_visible_to
from goodwill.memory.services import add_fact, edit_fact, mark_outdated

pytestmark = pytest.mark.django_db


def test_a_fact_remembers_who_learned_it_when_and_from_which_message(agent, customer, conversation):
    message = conversation.messages.get()
    fact = add_fact(customer, category="family", text="  Daughter  Lucy ", by=agent, message=message)
    assert (fact.text, fact.learned_by, fact.source_message, fact.source_conversation) == (
        "Daughter Lucy",
        agent,
        message,
        conversation,
    )
    assert fact.learned_at is not None
    assert fact.team is None  # an open team's conversation: everyone sees it


def test_an_important_date_takes_its_date_from_the_text_when_not_given(agent, customer):
    fact = add_fact(customer, category="date", text="Daughter's wedding on 12 May", by=agent)
    assert (fact.date.month, fact.date.day) == (5, 12)
    with pytest.raises(ValidationError) as error:
        add_fact(customer, category="date", text="Some anniversary", by=agent)
    assert "date" in error.value.message_dict


def test_bad_input_is_refused_and_changes_nothing(agent, customer):
    for category, text in (("family", "   "), ("nonsense", "Lucy"), ("family", "x" * 501)):
        with pytest.raises(ValidationError):
            add_fact(customer, category=category, text=text, by=agent)
    assert not Fact.objects.exists()


def test_a_message_of_another_customer_is_refused(agent, customer, conversation):
    from goodwill.customers.services import create_customer

    other = create_customer(name="Olga Other", emails=["olga@example.test"])
    with pytest.raises(ValidationError):
        add_fact(other, category="family", text="Lucy", by=agent, message=conversation.messages.get())


def test_editing_keeps_the_earlier_wording(agent, teammate, customer):
    fact = add_fact(customer, category="likes", text="Likes tea", by=agent)
    edit_fact(fact, by=teammate, text="Likes green tea, no sugar")
    edit_fact(fact, by=teammate, text="Likes green tea, no sugar")  # no change, no revision
    fact.refresh_from_db()
    assert fact.text == "Likes green tea, no sugar"
    assert list(FactRevision.objects.values_list("text", "changed_by")) == [("Likes tea", teammate.pk)]


def test_an_outdated_fact_is_kept_as_history_and_can_be_restored(agent, customer):
    fact = add_fact(customer, category="family", text="Lives with her parents", by=agent)
    mark_outdated(fact, by=agent)
    assert Fact.objects.get(pk=fact.pk).is_outdated
    mark_outdated(fact, by=agent, outdated=False)
    assert not Fact.objects.get(pk=fact.pk).is_outdated


def test_light_agents_only_read_facts(light_agent, agent, customer):
    with pytest.raises(PermissionDenied):
        add_fact(customer, category="likes", text="Likes tea", by=light_agent)
    fact = add_fact(customer, category="likes", text="Likes tea", by=agent)
    with pytest.raises(PermissionDenied):
        edit_fact(fact, by=light_agent, text="Likes coffee")
    with pytest.raises(PermissionDenied):
        mark_outdated(fact, by=light_agent)
    assert list(facts_visible_to(light_agent, customer)) == [fact]


def test_a_fact_learned_in_a_restricted_team_stays_with_that_team_unless_shareable(
    agent, outsider, admin, customer, billing_conversation
):
    message = billing_conversation.messages.get()
    fact = add_fact(
        customer, category="accessibility", text="Uses a screen reader", by=outsider, message=message
    )
    assert fact.team == billing_conversation.team
    assert list(facts_visible_to(outsider, customer)) == [fact]
    assert list(facts_visible_to(admin, customer)) == [fact]
    assert list(facts_visible_to(agent, customer)) == []  # not in the billing team
    edit_fact(fact, by=outsider, is_shareable=True)
    assert list(facts_visible_to(agent, customer)) == [fact]
