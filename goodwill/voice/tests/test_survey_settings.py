"""Survey settings for team leads: a lead changes their own team's policy and its words per language;
forms keep what was typed and say what is wrong; agents, other teams' leads and customers are refused."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from goodwill.accounts.models import TeamMembership
from goodwill.core.models import Event
from goodwill.voice.models import SurveyPolicy, SurveyWording

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(agent, support_team):  # type: ignore[no-untyped-def]
    TeamMembership.objects.filter(agent=agent, team=support_team).update(is_lead=True)
    return agent


def wording(**changes: str) -> dict[str, str]:
    words = {
        "language": "de",
        "subject": "Wie war es?",
        "intro": "Danke, dass Sie sich gemeldet haben.",
        "outcome_question": "Haben wir Ihr Anliegen gelöst?",
        "conduct_question": "Wie wurden Sie behandelt?",
        "comment_prompt": "Möchten Sie etwas ergänzen?",
        "thanks": "Danke.",
        "nps_subject": "Eine Frage",
        "nps_question": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?",
        "ces_subject": "War es einfach?",
        "ces_question": "Wie einfach war es, Ihr Anliegen zu lösen?",
    }
    words.update(changes)
    return {f"new-{key}": value for key, value in words.items()} | {"action": "add"}


def settings_form(**changes: str) -> dict[str, str]:
    """The policy form as the page sends it: the built-in settings, with `changes`."""
    fields = {"is_active": "on", "delay_hours": "24", "cooldown_days": "30", "by_email": "on",
              "in_portal": "on", "nps_every_months": "0"} | changes  # fmt: skip
    return {f"policy-{key}": value for key, value in fields.items()} | {"action": "policy"}


def test_a_lead_sets_up_and_changes_their_teams_policy(client, lead, support_team, billing_team):
    client.force_login(lead)
    listing = client.get("/voice/surveys/").content.decode()
    assert support_team.name in listing and billing_team.name not in listing
    assert "Default (every team" not in listing  # the default policy is the admins'
    opened = client.post("/voice/surveys/", {"team": support_team.pk})
    policy = SurveyPolicy.objects.get(team=support_team)
    assert opened.status_code == 302 and opened["Location"] == f"/voice/surveys/{policy.pk}/"
    saved = client.post(
        f"/voice/surveys/{policy.pk}/",
        {"action": "policy", "policy-is_active": "on", "policy-delay_hours": "6", "policy-cooldown_days": "45",
         "policy-in_portal": "on", "policy-ask_effort": "on", "policy-nps_every_months": "3"},
    )  # fmt: skip
    assert saved.status_code == 302
    policy.refresh_from_db()
    assert (policy.delay_hours, policy.cooldown_days, policy.by_email, policy.in_portal, policy.ask_effort) == (
        6, 45, False, True, True,
    )  # fmt: skip
    assert policy.nps_every_months == 3


def test_a_wrong_policy_keeps_what_was_typed_and_says_why(client, lead, support_team):
    policy = SurveyPolicy.objects.create(team=support_team)
    client.force_login(lead)
    page = client.post(
        f"/voice/surveys/{policy.pk}/",
        {
            "action": "policy",
            "policy-delay_hours": "9999",
            "policy-cooldown_days": "17",
            "policy-nps_every_months": "x",
        },
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "At most 720 hours" in body and 'value="9999"' in body and 'value="17"' in body
    assert "Enter a whole number." in body
    policy.refresh_from_db()
    assert (policy.delay_hours, policy.cooldown_days) == (24, 30)


def test_a_lead_adds_changes_and_removes_a_language(client, lead, support_team):
    policy = SurveyPolicy.objects.create(team=support_team)
    client.force_login(lead)
    assert client.post(f"/voice/surveys/{policy.pk}/", wording()).status_code == 302
    words = SurveyWording.objects.get(policy=policy)
    assert (words.language, words.ces_question) == ("de", "Wie einfach war es, Ihr Anliegen zu lösen?")
    again = client.post(f"/voice/surveys/{policy.pk}/", wording(language="DE", subject=""))
    body = again.content.decode()
    assert again.status_code == 400
    assert "already has words in de" in body and "This field is required." in body
    assert 'value="Wie einfach war es, Ihr Anliegen zu lösen?"' in body  # what was typed stays
    prefix = f"w{words.pk}-"
    fields = {
        prefix + key.removeprefix("new-"): value for key, value in wording(subject="Wie war's?").items()
    }
    changed = client.post(f"/voice/surveys/{policy.pk}/", {**fields, "action": "change", "wording": words.pk})
    assert changed.status_code == 302
    words.refresh_from_db()
    assert words.subject == "Wie war's?"
    client.post(f"/voice/surveys/{policy.pk}/", {"action": "delete", "wording": words.pk})
    assert not SurveyWording.objects.exists()


def test_agents_other_leads_and_customers_are_refused(
    client, agent, outsider, billing_team, support_team, customer
):
    mine = SurveyPolicy.objects.create(team=support_team)
    default = SurveyPolicy.objects.create(team=None)
    client.force_login(agent)  # not a lead
    assert client.get("/voice/surveys/").status_code == 403
    assert client.get(f"/voice/surveys/{mine.pk}/").status_code == 403
    assert client.post(f"/voice/surveys/{mine.pk}/", wording()).status_code == 403
    TeamMembership.objects.filter(agent=outsider, team=billing_team).update(is_lead=True)
    client.force_login(outsider)  # a lead, of another team
    assert client.get("/voice/surveys/").status_code == 200
    # Another team's policy is not there for them (404, as for a missing one): no hint it exists.
    assert client.get(f"/voice/surveys/{mine.pk}/").status_code == 404
    assert client.post(f"/voice/surveys/{mine.pk}/", wording()).status_code == 404
    assert client.post("/voice/surveys/", {"team": support_team.pk}).status_code == 404
    assert client.get(f"/voice/surveys/{default.pk}/").status_code == 404
    assert client.post("/voice/surveys/", {"team": ""}).status_code == 404
    assert client.get(f"/voice/surveys/{default.pk + mine.pk + 1}/").status_code == 404
    assert not SurveyWording.objects.exists()
    client.logout()
    from goodwill.channels.portal.services import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = customer.pk  # signed in to the portal, not as an agent
    session.save()
    for url in ("/voice/surveys/", f"/voice/surveys/{mine.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_an_admin_manages_the_default_policy(client, admin, support_team, django_assert_max_num_queries):
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        listing = client.get("/voice/surveys/")
    assert "Default (every team" in listing.content.decode()
    opened = client.post("/voice/surveys/", {"team": ""})
    default = SurveyPolicy.objects.get(team__isnull=True)
    assert opened["Location"] == f"/voice/surveys/{default.pk}/"
    client.post(f"/voice/surveys/{default.pk}/", wording(language="fr"))
    with django_assert_max_num_queries(10):
        page = client.get(f"/voice/surveys/{default.pk}/")
    assert page.status_code == 200 and "Words in fr" in page.content.decode()


def test_the_database_holds_one_default_policy(support_team):
    SurveyPolicy.objects.create(team=None)
    SurveyPolicy.objects.create(team=support_team)  # a team's own policy is no second default
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyPolicy.objects.create(team=None)
    assert SurveyPolicy.objects.filter(team__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_setting_up_the_default_at_once_make_one_and_the_second_is_told(client, admin):
    """The second submit read "no default yet" while the first one's row was not committed."""
    if connection.vendor == "sqlite":
        pytest.skip("one connection at a time on the test suite's in-memory SQLite database")
    inserted, done = threading.Event(), threading.Event()

    def first_admin() -> None:
        try:
            with transaction.atomic():
                SurveyPolicy.objects.create(team=None)
                inserted.set()
                _wait_for_a_blocked_writer()
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=first_admin)
    thread.start()
    assert inserted.wait(timeout=30)
    client.force_login(admin)
    response = client.post("/voice/surveys/", {"team": ""})
    thread.join(timeout=30)
    assert done.is_set()
    assert response.status_code == 409
    assert "Someone else set up this policy a moment ago" in response.content.decode()
    assert SurveyPolicy.objects.filter(team__isnull=True).count() == 1


def _wait_for_a_blocked_writer() -> None:
    """Until another session waits for this one (its insert met this one's row in the unique index)."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second submit never waited for the first one's row")


def test_every_change_to_a_policy_is_an_audit_event(client, lead, support_team):
    client.force_login(lead)
    client.post("/voice/surveys/", {"team": support_team.pk})
    policy = SurveyPolicy.objects.get(team=support_team)
    client.post(f"/voice/surveys/{policy.pk}/", settings_form(delay_hours="6"))
    client.post(f"/voice/surveys/{policy.pk}/", wording())
    words = SurveyWording.objects.get(policy=policy)
    fields = {
        f"w{words.pk}-" + key.removeprefix("new-"): value for key, value in wording(thanks="Merci.").items()
    }
    client.post(f"/voice/surveys/{policy.pk}/", {**fields, "action": "change", "wording": words.pk})
    client.post(f"/voice/surveys/{policy.pk}/", {"action": "delete", "wording": words.pk})
    events = list(
        Event.objects.filter(subject_type="voice.surveypolicy", subject_id=str(policy.pk)).order_by("pk")
    )
    assert [event.after["action"] for event in events] == [
        "survey_policy.set_up", "survey_policy.changed", "survey_wording.added", "survey_wording.changed",
        "survey_wording.deleted",
    ]  # fmt: skip
    assert {(event.kind, event.actor_id, event.after["team"]) for event in events} == {
        ("other", lead.pk, support_team.name)
    }
    changed = events[1]
    assert (changed.before, changed.after["delay_hours"]) == ({"delay_hours": 24}, 6)
    assert "cooldown_days" not in changed.after  # only what changed
    assert events[2].after["language"] == "de" and events[2].after["thanks"] == "Danke."
    assert (events[3].before, events[3].after["thanks"]) == ({"thanks": "Danke."}, "Merci.")
    assert events[4].before["thanks"] == "Merci." and events[4].after["language"] == "de"


def test_an_unchanged_save_writes_no_event(client, admin):
    client.force_login(admin)
    client.post("/voice/surveys/", {"team": ""})
    default = SurveyPolicy.objects.get(team__isnull=True)
    client.post(f"/voice/surveys/{default.pk}/", settings_form())  # as it was
    actions = list(
        Event.objects.filter(subject_type="voice.surveypolicy").values_list("after__action", "after__team")
    )
    assert actions == [("survey_policy.set_up", "default")]
