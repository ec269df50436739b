from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.conversations.models import ContactReason, Conversation, CustomField
from goodwill.conversations.services import assign_conversation, open_conversation, set_tags
from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _open_many(customer, count, **kwargs):
    start = timezone.now() - timedelta(days=1)
    return [
        open_conversation(
            customer=customer, subject=f"Question {i}", channel="email", text="Hi", at=start + timedelta(minutes=i),
            **kwargs,
        )[0]
        for i in range(count)
    ]


def test_it_reads_a_conversation_with_its_customer_and_team(api_as, agent, support_conversation):
    response = api_as(agent).get(f"/conversations/{support_conversation.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == support_conversation.number
    assert body["subject"] == "Parcel never arrived"
    assert body["status"] == "new"
    assert body["priority"] == "normal"
    assert body["customer"] == {
        "id": support_conversation.customer_id, "name": "Carla Customer", "email": "carla@customer.test"
    }
    assert body["team"]["name"] == "Support"
    assert body["assignee"] is None
    assert body["message_count"] == 1


def test_an_unknown_number_is_a_404_with_detail(api_as, agent):
    response = api_as(agent).get("/conversations/999999")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_hides_other_teams_restricted_conversations(api_as, agent, support_conversation, billing_conversation):
    client = api_as(agent)
    numbers = [item["number"] for item in client.get("/conversations").json()["items"]]
    assert numbers == [support_conversation.number]
    assert client.get(f"/conversations/{billing_conversation.number}").status_code == 404
    assert client.get(f"/conversations/{billing_conversation.number}/messages").status_code == 404
    patch = client.patch(f"/conversations/{billing_conversation.number}", {"status": "solved"})
    assert patch.status_code == 404
    billing_conversation.refresh_from_db()
    assert billing_conversation.status == "new"


def test_the_restricted_team_and_admins_see_its_conversations(api_as, outsider, admin, billing_conversation):
    for person in (outsider, admin):
        client = api_as(person)
        assert client.get(f"/conversations/{billing_conversation.number}").status_code == 200
        assert [item["number"] for item in client.get("/conversations").json()["items"]] == [
            billing_conversation.number
        ]


def test_the_outsider_gets_404_on_support_conversations_only_when_restricted(
    api_as, outsider, support_conversation
):
    # Support is not restricted: everyone may read it.
    assert api_as(outsider).get(f"/conversations/{support_conversation.number}").status_code == 200


def test_pages_follow_cursors_without_duplicates_or_gaps(api_as, agent, customer):
    made = _open_many(customer, 12)
    client = api_as(agent)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = client.get("/conversations", params).json()
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [conversation.number for conversation in reversed(made)]


def test_oldest_first_pages_run_the_other_way(api_as, agent, customer):
    made = _open_many(customer, 5)
    client = api_as(agent)
    first = client.get("/conversations", {"limit": 3, "sort": "oldest"}).json()
    second = client.get("/conversations", {"limit": 3, "sort": "oldest", "cursor": first["next"]}).json()
    assert [i["number"] for i in first["items"] + second["items"]] == [c.number for c in made]
    mixed = client.get("/conversations", {"limit": 3, "cursor": first["next"]})
    assert mixed.status_code == 400


def test_pages_stay_stable_when_conversations_share_a_timestamp(api_as, agent, customer):
    at = timezone.now()
    made = [open_conversation(customer=customer, subject=f"S{i}", channel="api", text="x", at=at)[0] for i in range(7)]
    client = api_as(agent)
    first = client.get("/conversations", {"limit": 3}).json()
    second = client.get("/conversations", {"limit": 3, "cursor": first["next"]}).json()
    third = client.get("/conversations", {"limit": 3, "cursor": second["next"]}).json()
    numbers = [item["number"] for page in (first, second, third) for item in page["items"]]
    assert numbers == sorted((c.number for c in made), reverse=True)
    assert third["next"] is None


def test_it_filters_conversations(api_as, agent, teammate, customer, support_team):
    other_customer = create_customer(name="Olga Other", emails=["olga@other.test"])
    need = ContactReason.objects.create(name="Refund")
    a, b, c = _open_many(customer, 3)
    d, _ = open_conversation(customer=other_customer, subject="Phone", channel="phone", text="Call", priority=4)
    assign_conversation(a, to=agent, by=agent)
    assign_conversation(b, to=teammate, by=agent)
    set_tags(c, ["vip"], by=agent)
    client = api_as(agent)
    client.patch(f"/conversations/{b.number}", {"status": "solved", "team": support_team.pk, "need": need.pk})

    def numbers(**params):
        response = client.get("/conversations", params)
        assert response.status_code == 200, response.json()
        return sorted(item["number"] for item in response.json()["items"])

    assert numbers(assignee="me") == [a.number]
    assert numbers(assignee=str(teammate.pk)) == [b.number]
    assert numbers(assignee="none") == [c.number, d.number]
    assert numbers(status=["solved"]) == [b.number]
    assert numbers(status=["new", "open"]) == [a.number, c.number, d.number]
    assert numbers(team=support_team.pk) == [b.number]
    assert numbers(channel="phone") == [d.number]
    assert numbers(priority="urgent") == [d.number]
    assert numbers(tag="VIP") == [c.number]
    assert numbers(need=need.pk) == [b.number]
    assert numbers(customer=other_customer.pk) == [d.number]
    assert numbers(created_since=(timezone.now() - timedelta(minutes=5)).isoformat()) == [d.number]
    assert numbers(updated_since=(timezone.now() + timedelta(minutes=5)).isoformat()) == []


def test_a_bad_filter_value_is_a_422(api_as, agent):
    client = api_as(agent)
    for params in ({"assignee": "someone"}, {"status": "sleeping"}, {"priority": "9"}, {"limit": 0},
                   {"limit": 101}, {"updated_since": "yesterday"}, {"team": "x"}):
        response = client.get("/conversations", params)
        assert response.status_code == 422, params
        assert "detail" in response.json()


def test_a_list_of_25_takes_as_many_queries_as_a_list_of_5(api_as, agent, support_team):
    for i in range(25):
        person = create_customer(name=f"Person {i}", emails=[f"p{i}@example.test"])
        conversation, _ = open_conversation(customer=person, subject=f"S{i}", channel="email", text="x")
        set_tags(conversation, ["a", f"t{i}"], by=agent)
        assign_conversation(conversation, to=agent, by=agent)
        conversation.team = support_team
        conversation.need = ContactReason.objects.get_or_create(name="Delivery")[0]
        conversation.save()
    client = api_as(agent)
    client.get("/conversations", {"limit": 1})  # token's last_used_at is written once, on first use

    def count(limit):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/conversations", {"limit": limit})
        assert len(response.json()["items"]) == limit
        return len(queries)

    assert count(25) == count(5)
    assert count(25) <= 7


def test_it_opens_a_conversation_for_a_customer_found_by_email(api_as, agent, customer, support_team):
    response = api_as(agent).post(
        "/conversations",
        {"customer_email": "CARLA@customer.test", "subject": "Called about the parcel", "text": "She called.",
         "priority": "high", "team": support_team.pk},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/conversations/{body['number']}"
    assert body["customer"]["id"] == customer.pk
    assert body["channel"] == "api"
    assert body["priority"] == "high"
    assert body["team"]["id"] == support_team.pk
    conversation = Conversation.objects.get(number=body["number"])
    assert conversation.messages.get().text == "She called."
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.CONVERSATION_OPENED, actor=agent).exists()


def test_it_creates_the_customer_when_nobody_has_the_email(api_as, agent):
    response = api_as(agent).post(
        "/conversations", {"customer_email": "new@person.test", "customer_name": "Nia New", "text": "Hello"}
    )
    assert response.status_code == 201
    assert response.json()["customer"]["name"] == "Nia New"
    assert Customer.objects.with_email("new@person.test").exists()


def test_it_opens_a_conversation_for_a_customer_id(api_as, agent, customer):
    response = api_as(agent).post("/conversations", {"customer": customer.pk, "text": "Hi", "channel": "phone"})
    assert response.status_code == 201
    assert response.json()["channel"] == "phone"


def test_opening_needs_exactly_one_way_to_name_the_customer(api_as, agent, customer):
    client = api_as(agent)
    for body in ({"text": "x"}, {"customer": customer.pk, "customer_email": "a@b.test", "text": "x"},
                 {"customer": 987654, "text": "x"}, {"customer_email": "not an email", "text": "x"}):
        response = client.post("/conversations", body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert Conversation.objects.count() == 0


def test_a_conversation_cannot_be_filed_under_a_hidden_restricted_team(api_as, agent, customer, billing_team):
    response = api_as(agent).post("/conversations", {"customer": customer.pk, "text": "x", "team": billing_team.pk})
    assert response.status_code == 422
    assert response.json()["detail"] == {"team": "No such team."}


def test_a_light_agent_cannot_open_or_change_conversations(api_as, light_agent, customer, support_conversation):
    client = api_as(light_agent)
    assert client.post("/conversations", {"customer": customer.pk, "text": "x"}).status_code == 403
    response = client.patch(f"/conversations/{support_conversation.number}", {"status": "solved"})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert client.patch(f"/conversations/{support_conversation.number}", {"tags": ["x"]}).status_code == 403
    assert client.get(f"/conversations/{support_conversation.number}").status_code == 200


def test_patch_changes_each_field_through_its_service_and_audits_it(
    api_as, agent, teammate, support_conversation, support_team
):
    need = ContactReason.objects.create(name="Delivery")
    CustomField.objects.create(key="order", label="Order number", type=CustomField.Type.NUMBER)
    other = Team.objects.create(name="Logistics", slug="logistics")
    response = api_as(agent).patch(
        f"/conversations/{support_conversation.number}",
        {
            "subject": "Parcel lost in transit",
            "status": "pending",
            "priority": "urgent",
            "assignee": teammate.pk,
            "team": other.pk,
            "tags": ["Shipping", "vip"],
            "need": need.pk,
            "need_met": "partly",
            "custom_fields": {"order": "1234"},
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["subject"] == "Parcel lost in transit"
    assert body["status"] == "pending"
    assert body["priority"] == "urgent"
    assert body["assignee"]["id"] == teammate.pk
    assert body["team"] == {"id": other.pk, "name": "Logistics"}
    assert body["tags"] == ["shipping", "vip"]
    assert body["need"] == {"id": need.pk, "name": "Delivery"}
    assert body["need_met"] == "partly"
    assert body["custom_fields"] == {"order": 1234}
    kinds = set(
        Event.objects.filter(conversation=support_conversation, actor=agent).values_list("kind", flat=True)
    )
    assert {
        Event.Kind.SUBJECT_CHANGED, Event.Kind.STATUS_CHANGED, Event.Kind.PRIORITY_CHANGED, Event.Kind.ASSIGNED,
        Event.Kind.TEAM_CHANGED, Event.Kind.TAGS_CHANGED, Event.Kind.NEED_CHANGED, Event.Kind.NEED_MET_CHANGED,
        Event.Kind.FIELDS_CHANGED,
    } <= kinds


def test_patch_can_clear_assignee_team_and_need(api_as, agent, support_conversation):
    assign_conversation(support_conversation, to=agent, by=agent)
    response = api_as(agent).patch(
        f"/conversations/{support_conversation.number}", {"assignee": None, "team": None, "need": None}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["assignee"] is None and body["team"] is None and body["need"] is None


def test_a_failing_patch_changes_nothing(api_as, agent, light_agent, support_conversation):
    response = api_as(agent).patch(
        f"/conversations/{support_conversation.number}", {"subject": "Changed", "assignee": light_agent.pk}
    )
    assert response.status_code == 422
    assert response.json()["detail"]
    support_conversation.refresh_from_db()
    assert support_conversation.subject == "Parcel never arrived"
    assert not Event.objects.filter(kind=Event.Kind.SUBJECT_CHANGED).exists()


def test_patch_rejects_unknown_fields_nulls_and_bad_values(api_as, agent, support_conversation):
    client = api_as(agent)
    path = f"/conversations/{support_conversation.number}"
    for body in ({"colour": "red"}, {"status": None}, {"status": "sleeping"}, {"priority": 3},
                 {"custom_fields": {"nope": 1}}, {"subject": "   "}, {"assignee": 424242}, {"need": 424242}):
        response = client.patch(path, body)
        assert response.status_code == 422, body
        assert "detail" in response.json()


def test_a_merged_conversation_points_at_the_one_it_joined(api_as, agent, customer):
    from goodwill.conversations.services import merge_conversations

    source, _ = open_conversation(customer=customer, subject="Dup", channel="email", text="again")
    target, _ = open_conversation(customer=customer, subject="Original", channel="email", text="first")
    merge_conversations(source, into=target, by=agent)
    client = api_as(agent)
    body = client.get(f"/conversations/{source.number}").json()
    assert body["merged_into"] == target.number
    assert body["status"] == "closed"
    assert client.get(f"/conversations/{target.number}").json()["message_count"] == 2
    assert len(client.get(f"/conversations/{target.number}/messages").json()["items"]) == 2


def test_patch_stores_a_subject_on_one_line(api_as, agent, support_conversation):
    response = api_as(agent).patch(
        f"/conversations/{support_conversation.number}", {"subject": "Parcel\r\nBcc: all@attacker.test\r\n"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["subject"] == "Parcel Bcc: all@attacker.test"
    support_conversation.refresh_from_db()
    assert support_conversation.subject == "Parcel Bcc: all@attacker.test"


def test_patch_cannot_move_a_conversation_into_a_hidden_restricted_team(
    api_as, agent, support_conversation, billing_team
):
    response = api_as(agent).patch(f"/conversations/{support_conversation.number}", {"team": billing_team.pk})
    assert response.status_code == 422
    assert response.json()["detail"] == {"team": "No such team."}
    support_conversation.refresh_from_db()
    assert support_conversation.team is not None and support_conversation.team.slug == "support"


def test_an_agent_opens_a_conversation_by_writing_first(api_as, agent, customer, support_team, billing_team):
    client = api_as(agent)
    body = {
        "customer": customer.pk,
        "subject": "Your refund",
        "text": "It is on its way.",
        "first_message_from": "agent",
    }
    response = client.post("/conversations", {**body, "team": support_team.pk, "priority": "high"})
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["status"], created["channel"], created["priority"]) == ("pending", "email", "high")
    assert created["assignee"]["id"] == agent.pk
    message = Conversation.objects.get(number=created["number"]).messages.get()
    assert (message.direction, message.author_agent_id, message.text) == ("out", agent.pk, "It is on its way.")
    refused = [
        client.post("/conversations", {**body, "subject": ""}),
        client.post("/conversations", {**body, "team": billing_team.pk}),
    ]
    assert [r.status_code for r in refused] == [422, 422]
    assert Conversation.objects.count() == 1


def test_writing_first_a_channel_other_than_the_customers_is_refused_not_ignored(api_as, agent, customer):
    client = api_as(agent)
    body = {
        "customer": customer.pk,
        "subject": "Your refund",
        "text": "On its way.",
        "first_message_from": "agent",
    }
    refused = client.post("/conversations", {**body, "channel": "phone"})  # Carla has an email address
    assert refused.status_code == 422
    assert "goes by email for this customer" in refused.json()["detail"]["channel"]
    new_person = {**body, "customer": None, "customer_email": "nora@new.test", "channel": "portal"}
    answer = client.post("/conversations", new_person)
    assert (answer.status_code, list(answer.json()["detail"])) == (422, ["channel"])
    assert not Customer.objects.filter(identities__value="nora@new.test").exists()  # all or nothing
    assert Conversation.objects.count() == 0
    same = client.post("/conversations", {**body, "channel": "email"})
    assert (same.status_code, same.json()["channel"]) == (201, "email")
    phoned = create_customer(name="Pia Phone", phones=["+44 20 7946 0000"])
    by_phone = {**body, "customer": phoned.pk}
    assert client.post("/conversations", {**by_phone, "channel": "email"}).status_code == 422
    left_out = client.post("/conversations", by_phone)
    assert (left_out.status_code, left_out.json()["channel"]) == (201, "phone")
