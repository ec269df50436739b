import base64
import json

import pytest

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_with_detail(api_as, agent, support_conversation):
    client = api_as(agent)
    for raw in (b"{not json", b"\xff\xfe\x00", b'{"text": "unterminated'):
        response = client.post(f"/conversations/{support_conversation.number}/messages", raw=raw)
        assert response.status_code == 400, raw
        assert response.json()["detail"]


def test_a_body_that_is_not_an_object_is_a_422(api_as, agent):
    client = api_as(agent)
    for body in ([], "text", 12, None):
        response = client.post("/organisations", body)
        assert response.status_code in (400, 422), body
        assert "detail" in response.json()


def test_request_validation_errors_list_each_problem_under_detail(api_as, agent, customer):
    response = api_as(agent).post("/conversations", {"customer": "carla", "priority": "meh"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    locations = {tuple(error["loc"]) for error in detail}
    assert ("body", "payload", "customer") in locations
    assert ("body", "payload", "priority") in locations
    assert ("body", "payload", "text") in locations


def test_service_validation_errors_name_the_field(api_as, agent, support_conversation):
    response = api_as(agent).patch(f"/conversations/{support_conversation.number}", {"assignee": 999})
    assert response.status_code == 422
    assert response.json() == {"detail": {"assignee": "No such agent."}}


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        base64.urlsafe_b64encode(b'["customers", null, 1]').decode(),
        base64.urlsafe_b64encode(b'["conversations:newest", "2026-01-01T00:00:00+00:00", 1]').decode(),
        base64.urlsafe_b64encode(b'["conversations:newest", null, 99999999999999999999]').decode(),
        base64.urlsafe_b64encode(b'["conversations:newest", null, 0]').decode(),
        base64.urlsafe_b64encode(b'["conversations:newest", null, "7"]').decode(),
        base64.urlsafe_b64encode(json.dumps([[[]]] * 3).encode()).decode(),
    ],
)
def test_an_unknown_cursor_is_a_400(api_as, agent, cursor):
    response = api_as(agent).get("/conversations", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor."}


def test_text_no_database_can_store_is_a_422(api_as, agent, support_conversation):
    client = api_as(agent)
    path = f"/conversations/{support_conversation.number}/messages"
    nul = client.post(path, {"kind": "note", "text": "a\u0000b"})
    assert nul.status_code == 422
    surrogate = client.post(path, raw=b'{"kind": "note", "text": "\\ud800"}')
    assert surrogate.status_code == 422
    assert client.get("/customers", {"q": "a\x00"}).status_code == 422
    fields = client.patch(f"/conversations/{support_conversation.number}", {"custom_fields": {"k\u0000": "v"}})
    assert fields.status_code == 422


def test_ids_beyond_the_database_range_are_a_422(api_as, agent):
    client = api_as(agent)
    assert client.get(f"/conversations/{2**64}").status_code == 422
    assert client.get("/customers", {"organisation": 2**70}).status_code == 422
    assert client.get("/conversations/0").status_code == 422


def test_times_that_overflow_are_a_422(api_as, agent):
    response = api_as(agent).get("/conversations", {"updated_since": "9999-12-31T23:00:00-05:00"})
    assert response.status_code == 422
    assert "detail" in response.json()


def test_unknown_paths_and_methods_answer_in_json(api_as, agent, support_conversation):
    client = api_as(agent)
    missing = client.get("/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such endpoint."}
    wrong = client.post(f"/conversations/{support_conversation.number}", {})
    assert wrong.status_code == 405
    assert wrong.json()["detail"] == "Method POST not allowed."
    assert "PATCH" in wrong["Allow"]


def test_a_message_cursor_with_a_broken_time_is_a_400(api_as, agent, support_conversation):
    client = api_as(agent)
    resource = f"messages:{support_conversation.pk}"
    for value in ("not a date", "2026-01-01T00:00:00", None, 5):
        cursor = base64.urlsafe_b64encode(json.dumps([resource, value, 1]).encode()).decode()
        response = client.get(f"/conversations/{support_conversation.number}/messages", {"cursor": cursor})
        assert response.status_code == 400, value
        assert response.json() == {"detail": "Invalid cursor."}
