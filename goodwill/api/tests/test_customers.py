import pytest

from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer, save_organisation

pytestmark = pytest.mark.django_db


def test_every_agent_reads_customers(api_as, light_agent, outsider, customer):
    for person in (light_agent, outsider):
        response = api_as(person).get(f"/customers/{customer.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "Carla Customer"
        assert body["emails"] == ["carla@customer.test"]
        assert body["organisation"] is None


def test_an_unknown_customer_is_a_404(api_as, agent):
    response = api_as(agent).get("/customers/424242")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_lists_and_filters_customers(api_as, agent):
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    anna = create_customer(name="Anna Berg", emails=["anna@acme.test"])
    andy = create_customer(name="Andy Lake", emails=["andy@else.test"])
    bea = create_customer(name="Bea Anders", emails=["bea@acme.test", "bea@home.test"], phones=["+49 30 1234"])
    client = api_as(agent)

    def ids(**params):
        response = client.get("/customers", params)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [anna.pk, andy.pk, bea.pk]
    assert ids(q="an") == [anna.pk, andy.pk]
    assert ids(q="BEA@home.test") == [bea.pk]
    assert ids(email="andy@else.test") == [andy.pk]
    assert ids(organisation=acme.pk) == [anna.pk, bea.pk]
    item = client.get("/customers", {"q": "bea"}).json()["items"][0]
    assert item["emails"] == ["bea@acme.test", "bea@home.test"]
    assert item["phones"] == ["+49301234"]
    assert item["organisation"] == {"id": acme.pk, "name": "Acme"}


def test_customer_pages_follow_cursors(api_as, agent):
    made = [create_customer(name=f"C{i}", emails=[f"c{i}@x.test"]) for i in range(7)]
    client = api_as(agent)
    first = client.get("/customers", {"limit": 4}).json()
    second = client.get("/customers", {"limit": 4, "cursor": first["next"]}).json()
    assert [c["id"] for c in first["items"] + second["items"]] == [c.pk for c in made]
    assert second["next"] is None


def test_an_agent_creates_a_customer_and_it_is_audited(api_as, agent):
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    response = api_as(agent).post(
        "/customers",
        {"name": "Dana Diaz", "preferred_name": "Dee", "emails": ["Dana@ACME.test"], "phones": ["+1 555 0100"],
         "time_zone": "Europe/Berlin", "language": "de"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/customers/{body['id']}"
    assert body["emails"] == ["dana@acme.test"]
    assert body["phones"] == ["+15550100"]
    assert body["organisation"]["id"] == acme.pk
    assert body["preferred_name"] == "Dee"
    assert Event.objects.filter(kind=Event.Kind.CUSTOMER_CREATED, actor=agent, customer_id=body["id"]).exists()


def test_creating_a_customer_with_a_taken_email_is_a_422(api_as, agent, customer):
    response = api_as(agent).post("/customers", {"name": "Copy", "emails": ["carla@customer.test"]})
    assert response.status_code == 422
    assert "another customer" in response.json()["detail"]
    assert Customer.objects.count() == 1


def test_bad_customer_input_is_a_422(api_as, agent):
    client = api_as(agent)
    for body in ({"emails": ["nope"]}, {"phones": ["call me"]}, {"time_zone": "Mars/Base"},
                 {"organisation": 424242}, {"name": "x" * 201}, {"shoe_size": 42}):
        response = client.post("/customers", body)
        assert response.status_code == 422, body
        assert "detail" in response.json()


def test_an_agent_updates_a_customer_and_it_is_audited(api_as, agent, customer):
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    response = api_as(agent).patch(
        f"/customers/{customer.pk}", {"preferred_name": "Carlita", "organisation": acme.pk, "is_internal": True}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["preferred_name"] == "Carlita"
    assert body["organisation"]["id"] == acme.pk
    assert body["is_internal"] is True
    event = Event.objects.get(kind=Event.Kind.CUSTOMER_CHANGED, customer=customer)
    assert event.actor == agent
    assert event.after["preferred_name"] == "Carlita"
    cleared = api_as(agent).patch(f"/customers/{customer.pk}", {"organisation": None})
    assert cleared.json()["organisation"] is None
    assert api_as(agent).patch(f"/customers/{customer.pk}", {"name": None}).status_code == 422


def test_a_light_agent_cannot_create_or_change_customers(api_as, light_agent, customer):
    client = api_as(light_agent)
    assert client.post("/customers", {"name": "New"}).status_code == 403
    response = client.patch(f"/customers/{customer.pk}", {"name": "Changed"})
    assert response.status_code == 403
    assert response.json()["detail"]
    customer.refresh_from_db()
    assert customer.name == "Carla Customer"


def test_an_agent_adds_email_addresses_and_phone_numbers(api_as, agent, customer):
    client = api_as(agent)
    response = client.patch(
        f"/customers/{customer.pk}", {"add_emails": ["Carla@Work.test"], "add_phones": ["+44 20 7946 0000"]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["emails"] == ["carla@customer.test", "carla@work.test"]
    assert response.json()["phones"] == ["+442079460000"]
    other = create_customer(name="Otto", emails=["otto@x.test"])
    taken = client.patch(f"/customers/{other.pk}", {"name": "Otto O", "add_emails": ["carla@work.test"]})
    assert taken.status_code == 422
    other.refresh_from_db()
    assert other.name == "Otto"


def test_a_customer_list_of_25_takes_as_many_queries_as_a_list_of_5(api_as, agent):
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    for i in range(25):
        create_customer(name=f"P{i}", emails=[f"p{i}@acme.test"], phones=[f"+1 555 01{i:02d}"], organisation=acme)
    client = api_as(agent)
    client.get("/customers", {"limit": 1})

    def count(limit):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/customers", {"limit": limit}).json()["items"]) == limit
        return len(queries)

    assert count(25) == count(5)


def test_customer_names_are_stored_on_one_line(api_as, agent, customer):
    client = api_as(agent)
    created = client.post("/customers", {"name": "Mallory\r\nBcc: all@attacker.test", "emails": ["m@example.test"]})
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "Mallory Bcc: all@attacker.test"
    changed = client.patch(f"/customers/{customer.pk}", {"name": "Carla\nX-Evil: 1", "preferred_name": "C\r\n"})
    assert changed.status_code == 200, changed.json()
    customer.refresh_from_db()
    assert (customer.name, customer.preferred_name) == ("Carla X-Evil: 1", "C")
