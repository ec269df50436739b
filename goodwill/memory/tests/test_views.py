import pytest
from django.urls import reverse

from goodwill.channels.portal.services import SESSION_KEY
from goodwill.conversations.services import add_note
from goodwill.customers.models import Customer, Organisation
from goodwill.customers.services import create_customer, update_customer
from goodwill.memory.duplicates import build_all_keys
from goodwill.memory.models import CustomerMerge, Fact
from goodwill.memory.services import add_fact
from goodwill.memory.tests.conftest import open_with

pytestmark = pytest.mark.django_db


def detail(conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


def test_remember_this_saves_text_of_a_message_as_a_fact_and_shows_it_in_the_sidebar(
    client, agent, customer, conversation
):
    message = conversation.messages.get()
    client.force_login(agent)
    response = client.post(
        reverse("memory:add_fact", args=[customer.pk]),
        {
            "text": "Daughter Lucy gets married on 12 May",
            "category": "date",
            "message": message.pk,
            "next": detail(conversation),
        },
    )
    assert response.status_code == 302 and response["Location"] == detail(conversation)
    fact = Fact.objects.get()
    assert (fact.source_message, fact.learned_by, fact.date.month) == (message, agent, 5)
    page = client.get(detail(conversation)).content.decode()
    assert "Daughter Lucy gets married on 12 May" in page
    assert "memory/remember.js" in page


def test_a_failed_save_keeps_what_was_typed(client, agent, customer, conversation):
    client.force_login(agent)
    response = client.post(
        reverse("memory:add_fact", args=[customer.pk]),
        {"text": "Some anniversary", "category": "date", "next": detail(conversation)},
        follow=True,
    )
    body = response.content.decode()
    assert "An important date needs its date." in body
    assert "Some anniversary</textarea>" in body
    assert not Fact.objects.exists()


def test_the_category_suggestion_endpoint(client, agent):
    client.force_login(agent)
    answer = client.get(reverse("memory:suggest"), {"text": "I use a wheelchair"}).json()
    assert answer == {"category": "accessibility", "date": ""}


def test_the_greeting_hint_sits_above_the_composer(client, agent, customer, conversation):
    update_customer(customer, by=agent, preferred_name="Mia", pronunciation="MEE-ah")
    add_fact(customer, category="family", text="Daughter Lucy is getting married", by=agent)
    client.force_login(agent)
    body = client.get(detail(conversation)).content.decode()
    hint = body[body.index('class="greeting-hint"') : body.index('id="composer-form"')]
    assert "Mia" in hint and "MEE-ah" in hint and "Daughter Lucy is getting married" in hint


def test_facts_of_a_restricted_conversation_stay_hidden_from_other_teams(
    client, agent, outsider, customer, billing_conversation
):
    add_fact(
        customer,
        category="accessibility",
        text="Uses a screen reader",
        by=outsider,
        message=billing_conversation.messages.get(),
    )
    client.force_login(agent)
    assert (
        "Uses a screen reader"
        not in client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    )
    client.force_login(outsider)
    assert (
        "Uses a screen reader"
        in client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    )
    client.force_login(agent)
    message = billing_conversation.messages.get()
    response = client.post(
        reverse("memory:add_fact", args=[customer.pk]),
        {"text": "x", "category": "other", "message": message.pk},
    )
    assert response.status_code == 404  # a message the agent may not see


def test_the_customer_never_sees_facts_in_the_portal(client, agent, customer, conversation):
    add_fact(customer, category="family", text="Daughter Lucy", by=agent, message=conversation.messages.get())
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    for url in (reverse("portal:home"), reverse("portal:conversation", args=[conversation.number])):
        response = client.get(url)
        assert response.status_code == 200
        assert "Daughter Lucy" not in response.content.decode()


def test_light_agents_read_facts_but_have_no_forms_and_cannot_post(
    client, light_agent, agent, customer, conversation
):
    fact = add_fact(customer, category="likes", text="Likes tea", by=agent)
    client.force_login(light_agent)
    body = client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    assert "Likes tea" in body and 'id="fact-form"' not in body and "Merge" not in body
    assert (
        client.post(
            reverse("memory:add_fact", args=[customer.pk]), {"text": "x", "category": "other"}
        ).status_code
        == 403
    )
    assert client.post(reverse("memory:outdated_fact", args=[fact.pk])).status_code == 403
    assert client.post(reverse("memory:merge", args=[customer.pk]), {"other": customer.pk}).status_code == 403


def test_editing_and_outdating_on_the_fact_page(client, agent, light_agent, customer):
    fact = add_fact(customer, category="likes", text="Likes tea", by=agent)
    client.force_login(agent)
    customer_page = client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    assert reverse("memory:fact", args=[fact.pk]) in customer_page
    response = client.post(
        reverse("memory:edit_fact", args=[fact.pk]), {"text": "Likes green tea", "category": "likes"}
    )
    assert response["Location"] == reverse("memory:fact", args=[fact.pk])
    client.post(reverse("memory:outdated_fact", args=[fact.pk]))
    page = client.get(reverse("memory:fact", args=[fact.pk])).content.decode()
    assert "<s>Likes green tea</s>" in page and "“Likes tea”" in page and "Still true" in page
    assert (
        "<s>Likes green tea</s>"
        in client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    )
    client.force_login(light_agent)
    page = client.get(reverse("memory:fact", args=[fact.pk])).content.decode()
    assert "Likes green tea" in page and "Mark outdated" not in page and "Still true" not in page


def test_merging_from_the_customer_page(client, agent, customer):
    twin = create_customer(name="Carla Twin", emails=["carla+shop@customer.test"])
    open_with(twin, "Hello")
    build_all_keys()
    client.force_login(agent)
    page = client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    assert "Carla Twin" in page and "Same email address" in page and "data-confirm" in page
    response = client.post(
        reverse("memory:merge", args=[customer.pk]), {"other": twin.pk, "reason": "same"}, follow=True
    )
    assert "Merged Carla Twin" in response.content.decode()
    assert not Customer.objects.filter(pk=twin.pk).exists()
    assert CustomerMerge.objects.get().survivor == customer
    response = client.post(reverse("memory:merge", args=[customer.pk]), {"other": twin.pk}, follow=True)
    assert "no customer with that id" in response.content.decode()


def test_the_customer_page_costs_the_same_queries_with_a_long_history(
    client, agent, customer, support_team, django_assert_max_num_queries
):
    def grow(count: int) -> None:
        for index in range(count):
            conversation, _ = open_with(
                customer, f"Question {index}", subject=f"Question {index}", team=support_team
            )
            add_note(conversation, text="note", by=agent)
            add_fact(
                customer,
                category="family",
                text=f"Fact {index}",
                by=agent,
                message=conversation.messages.first(),
            )

    grow(3)
    client.force_login(agent)
    url = reverse("conversations:customer", args=[customer.pk])
    client.get(url)
    # Memory's own panels, plus one small query each for the other apps' timeline sources (promises,
    # call-backs, feedback, complaints, recovery cases), three for listening's mood line and one
    # for the churn watch's panel.
    with django_assert_max_num_queries(22) as few:
        client.get(url)
    grow(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert (
            client.get(
                response.context["main_panels"][0].context["next_url"], HTTP_HX_REQUEST="true"
            ).status_code
            == 200
        )
    conversation = customer.conversations.first()
    client.get(detail(conversation))
    # The conversation page with every app's panels (see README, Performance): 42, no more,
    # plus 1 for the recovery panel's cases.
    with django_assert_max_num_queries(43):
        assert client.get(detail(conversation)).status_code == 200


def test_older_conversations_and_a_broken_cursor(client, agent, customer):
    for index in range(27):
        open_with(customer, f"Q{index}", subject=f"Question number {index}")
    client.force_login(agent)
    url = reverse("conversations:customer", args=[customer.pk])
    first = client.get(url)
    assert len(first.context["conversations"]) == 25
    second = client.get(url, {"before": first.context["older_conversations"]})
    assert [c.subject for c in second.context["conversations"]] == ["Question number 1", "Question number 0"]
    assert client.get(url, {"before": "garbage"}).status_code == 400
    assert (
        client.get(reverse("memory:timeline", args=[customer.pk]), {"cursor": "garbage"}).status_code == 400
    )


def test_the_organisation_page_lists_its_people_and_their_conversations(client, agent, billing_team):
    acme = Organisation.objects.create(name="Acme")
    people = [
        create_customer(name=f"Person {i:02}", emails=[f"p{i}@acme.test"], organisation=acme)
        for i in range(52)
    ]
    open_with(people[0], "Hello", subject="Visible order")
    open_with(people[1], "Secret", subject="Billing secret", team=billing_team)
    client.force_login(agent)
    url = reverse("memory:organisation", args=[acme.pk])
    response = client.get(url)
    body = response.content.decode()
    assert "Person 00" in body and "Visible order" in body and "Billing secret" not in body
    assert "Person 51" not in body
    more = client.get(url, {"people": response.context["people_next"]})
    assert [person.name for person in more.context["people"]] == ["Person 50", "Person 51"]
    assert client.get(url, {"people": "broken"}).status_code == 400
    customer_page = client.get(reverse("conversations:customer", args=[people[0].pk])).content.decode()
    assert url in customer_page
