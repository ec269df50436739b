import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_note
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import add_identity, create_customer, update_customer
from goodwill.memory.merge import merge_customers
from goodwill.memory.models import CustomerMerge, Fact, FactRevision
from goodwill.memory.services import add_fact, edit_fact
from goodwill.memory.tests.conftest import open_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(db) -> Customer:  # type: ignore[no-untyped-def]
    with subscribed({}):
        return create_customer(
            name="Carla C.", emails=["carla.work@customer.test"], phones=["+44 20 7946 0018"]
        )


def test_merging_keeps_every_identity_conversation_fact_and_event(agent, customer, twin):
    with subscribed({}):
        update_customer(twin, by=agent, pronunciation="KAR-la")
        ours, _ = open_with(customer, "First question")
        theirs, message = open_with(twin, "My son Tom starts school", subject="Second question")
        add_note(theirs, text="Nice person", by=agent)
        fact = add_fact(twin, category="family", text="Son Tom", by=agent, message=message)
        edit_fact(fact, by=agent, text="Son Tom, 6")
    twin_events = set(Event.objects.filter(customer=twin).values_list("pk", flat=True))
    assert twin_events
    with subscribed({}):
        record = merge_customers(customer, twin, by=agent, reason="Same person")
    assert not Customer.objects.filter(pk=twin.pk).exists()
    assert set(Identity.objects.filter(customer=customer).values_list("value", flat=True)) == {
        "carla@customer.test",
        "carla.work@customer.test",
        "+442079460018",
    }
    assert set(Conversation.objects.filter(customer=customer)) == {ours, theirs}
    assert Message.objects.filter(author_customer=customer, conversation=theirs).exists()
    assert list(Fact.objects.filter(customer=customer)) == [fact]
    assert FactRevision.objects.filter(customer=customer).count() == 1
    assert twin_events <= set(Event.objects.filter(customer=customer).values_list("pk", flat=True))
    customer.refresh_from_db()
    assert customer.name == "Carla Customer"  # the survivor keeps its own details…
    assert customer.pronunciation == "KAR-la"  # …and takes what it lacked
    assert Identity.objects.filter(customer=customer, is_primary=True).count() <= 1
    # The audit log: the merge record and an event on the survivor.
    assert (
        record.merged_customer_id == twin.pk and record.merged_by == agent and record.reason == "Same person"
    )
    assert record.moved["customers.identity"] == 2 and record.moved["conversations.conversation"] == 1
    assert {"value": "carla.work@customer.test", "kind": "email"} in record.merged_identities
    audit = Event.objects.filter(customer=customer, kind=Event.Kind.CUSTOMER_CHANGED).latest("id")
    assert audit.after["merged_from"] == twin.pk and audit.actor == agent
    assert CustomerMerge.objects.get(survivor=customer) == record


def test_a_customer_is_not_merged_into_itself_and_light_agents_may_not_merge(
    agent, light_agent, customer, twin
):
    with pytest.raises(ValidationError):
        merge_customers(customer, customer, by=agent)
    with pytest.raises(PermissionDenied):
        merge_customers(customer, twin, by=light_agent)
    assert Customer.objects.filter(pk=twin.pk).exists()


def test_merges_chain_their_history(agent, customer, twin):
    third = create_customer(name="Carla Third", emails=["c3@customer.test"])
    with subscribed({}):
        merge_customers(twin, third, by=agent)
        merge_customers(customer, twin, by=agent)
    assert CustomerMerge.objects.filter(survivor=customer).count() == 2
    add_identity(customer, kind="email", value="c4@customer.test")
    assert Identity.objects.filter(customer=customer).count() == 5
