import pytest

from goodwill.accounts.services import create_or_update_agent, issue_api_token, revoke_api_token
from goodwill.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_it_answers_a_valid_token(api_as, agent):
    response = api_as(agent).get("/conversations")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}


def test_it_refuses_a_request_without_a_token(api_as):
    response = api_as(None).get("/conversations")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_token(agent):
    response = ApiClient("gw_not-a-real-token").get("/customers")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_non_bearer_authorization_header(agent, client):
    response = client.get("/api/v1/customers", headers={"Authorization": "Basic c2FtOnB3"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_refuses_a_revoked_token(agent):
    raw = issue_api_token(agent)
    assert ApiClient(raw).get("/customers").status_code == 200
    assert revoke_api_token(raw) is True
    response = ApiClient(raw).get("/customers")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_refuses_the_token_of_an_inactive_agent(agent):
    raw = issue_api_token(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = ApiClient(raw).get("/customers")
    assert response.status_code == 401


def test_a_session_cookie_alone_does_not_authenticate(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/customers").status_code == 401
    response = client.post("/api/v1/organisations", '{"name": "Acme"}', content_type="application/json")
    assert response.status_code == 401


def test_writes_need_no_csrf_token_with_a_bearer_token(agent):
    api = ApiClient(issue_api_token(agent))
    api.client = type(api.client)(enforce_csrf_checks=True)
    response = api.post("/organisations", {"name": "Acme"})
    assert response.status_code == 201


def test_openapi_describes_every_resource_with_bearer_security(client, agent):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    paths = schema["paths"]
    for path in (
        "/api/v1/conversations",
        "/api/v1/conversations/{number}",
        "/api/v1/conversations/{number}/messages",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
    ):
        assert path in paths
        for operation in paths[path].values():
            assert operation["security"] == [{"BearerToken": []}]
    assert set(paths["/api/v1/conversations"]) == {"get", "post"}
    assert set(paths["/api/v1/conversations/{number}"]) == {"get", "patch"}


def test_the_create_token_command_prints_a_working_token(capsys):
    from django.core.management import call_command

    create_or_update_agent("cli@example.com", name="Cli", role="agent")
    call_command("create_token", "cli@example.com")
    raw = capsys.readouterr().out.strip()
    assert ApiClient(raw).get("/organisations").status_code == 200
