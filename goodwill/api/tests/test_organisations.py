import pytest

from goodwill.core.models import Event
from goodwill.customers.models import Organisation
from goodwill.customers.services import save_organisation

pytestmark = pytest.mark.django_db


def test_an_agent_creates_reads_and_updates_an_organisation(api_as, agent, light_agent):
    client = api_as(agent)
    created = client.post("/organisations", {"name": "Acme", "domains": ["ACME.test", "@acme.example"]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert created["Location"] == f"/api/v1/organisations/{body['id']}"
    assert body["domains"] == ["acme.test", "acme.example"]
    path = f"/organisations/{body['id']}"
    assert api_as(light_agent).get(path).json()["name"] == "Acme"
    updated = client.patch(path, {"notes": "Key account", "domains": ["acme.test"]})
    assert updated.status_code == 200
    assert updated.json()["notes"] == "Key account"
    assert updated.json()["domains"] == ["acme.test"]
    assert Event.objects.filter(kind=Event.Kind.ORGANISATION_CHANGED, actor=agent).count() == 2


def test_organisations_are_listed_and_searched(api_as, agent):
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test")
    globex = save_organisation(None, by=None, name="Globex", domains="globex.example")
    client = api_as(agent)
    assert [o["id"] for o in client.get("/organisations").json()["items"]] == [acme.pk, globex.pk]
    assert [o["id"] for o in client.get("/organisations", {"q": "glo"}).json()["items"]] == [globex.pk]
    assert [o["id"] for o in client.get("/organisations", {"q": "acme.test"}).json()["items"]] == [acme.pk]
    page = client.get("/organisations", {"limit": 1}).json()
    rest = client.get("/organisations", {"limit": 1, "cursor": page["next"]}).json()
    assert [o["id"] for o in page["items"] + rest["items"]] == [acme.pk, globex.pk]
    assert rest["next"] is None


def test_bad_organisation_input_is_a_422(api_as, agent):
    client = api_as(agent)
    for body in ({}, {"name": ""}, {"name": "A", "domains": ["not a domain"]}, {"name": None}):
        response = client.post("/organisations", body)
        assert response.status_code == 422, body
        assert "detail" in response.json()
    assert not Organisation.objects.exists()


def test_a_light_agent_cannot_create_or_change_organisations(api_as, light_agent):
    acme = save_organisation(None, by=None, name="Acme")
    client = api_as(light_agent)
    assert client.post("/organisations", {"name": "New"}).status_code == 403
    assert client.patch(f"/organisations/{acme.pk}", {"name": "Changed"}).status_code == 403
    assert client.patch("/organisations/424242", {"name": "Changed"}).status_code == 404


def test_an_organisations_value_is_read_set_and_cleared(api_as, agent):
    client = api_as(agent)
    created = client.post("/organisations", {"name": "Acme", "value": "12500.50"})
    assert created.status_code == 201, created.json()
    path = f"/organisations/{created.json()['id']}"
    assert client.get(path).json()["value"] == "12500.50"
    assert client.patch(path, {"value": 900}).json()["value"] == "900.00"
    event = Event.objects.filter(kind=Event.Kind.ORGANISATION_CHANGED).latest("pk")
    assert (event.before, event.after) == ({"value": "12500.50"}, {"value": "900.00"})
    assert client.patch(path, {"value": None}).json()["value"] is None
    assert Organisation.objects.get().value is None


def test_a_bad_organisation_value_is_a_422_and_changes_nothing(api_as, agent):
    acme = save_organisation(None, by=None, name="Acme")
    client = api_as(agent)
    for value in (-1, "1.234", "1e20", "lots"):
        response = client.patch(f"/organisations/{acme.pk}", {"value": value})
        assert response.status_code == 422, value
    assert Organisation.objects.get().value is None
