"""Interview pages: leads only; campaign, selection preview, start; the customer's answer page
without JS (thanks, replay, forged link); themes page with every answer; rename/merge/split/move/tell."""

from __future__ import annotations

import pytest
from django.core import mail

from goodwill.accounts.models import TeamMembership
from goodwill.accounts.tests.tasks import run_queued_tasks
from goodwill.customers.services import create_customer
from goodwill.voice import interviews as service
from goodwill.voice.models import Answer, Campaign, InterviewTheme, Invitation

pytestmark = pytest.mark.django_db

TEXTS = ["Refunds are quick and the refund arrives in two days", "Quick refund, the refund process is painless",
         "Easy refund whenever a refund was needed", "Delivery always on time, delivery is reliable",
         "Reliable delivery, the delivery courier is on time", "On-time delivery every week, delivery never late"]


def test_only_leads_and_admins_run_interviews(client, agent, support_team):
    client.force_login(agent)
    assert client.get("/voice/interviews/").status_code == 403
    TeamMembership.objects.filter(agent=agent).update(is_lead=True)
    assert client.get("/voice/interviews/").status_code == 200


def test_create_edit_select_and_start(client, admin):
    create_customer(name="Otto Old", emails=["otto@customer.test"])
    client.force_login(admin)
    assert client.post("/voice/interviews/", {"name": ""}).status_code == 400
    response = client.post("/voice/interviews/", {"name": "Spring", "language": "en"})
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/voice/interviews/{campaign.pk}/"
    page = client.get(f"/voice/interviews/{campaign.pk}/").content.decode()
    assert "What keeps you coming back?" in page and "Invited" in page
    bad = client.post(f"/voice/interviews/{campaign.pk}/", {"name": "Spring", "question_1": "", "remind_after_days": "3"})
    assert bad.status_code == 400 and "cannot be empty" in bad.content.decode()
    preview = client.post(f"/voice/interviews/{campaign.pk}/select/",
                          {"action": "preview", "emails": "otto@customer.test ghost@x.test"}).content.decode()
    assert "1 customer match, 1 not yet invited" in preview and "ghost@x.test" in preview
    client.post(f"/voice/interviews/{campaign.pk}/select/", {"action": "invite", "emails": "otto@customer.test"})
    client.post(f"/voice/interviews/{campaign.pk}/select/", {"action": "invite", "emails": "otto@customer.test"})
    assert Invitation.objects.count() == 1
    client.post(f"/voice/interviews/{campaign.pk}/status/", {"status": "sending"})
    assert Campaign.objects.get().status == "sending"


def test_answer_page_thanks_and_a_replay_changes_nothing(client, admin):
    campaign = Campaign.objects.create(name="Spring", status="sending")
    person = create_customer(name="Otto Old", emails=["otto@customer.test"])
    invitation = Invitation.objects.create(campaign=campaign, customer=person, email="otto@customer.test")
    url = f"/interview/{service.token_for(invitation)}/"
    page = client.get(url)
    assert page.status_code == 200 and "Which experiences with us mean the most to you?" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    empty = client.post(url, {"answer_0": "", "answer_1": "", "answer_2": ""})
    assert empty.status_code == 400
    kept = client.post(url, {"answer_0": "", "answer_1": "typed before", "answer_2": ""})
    assert kept.status_code == 200 and "Thank you" in kept.content.decode()
    assert Answer.objects.get().text == "typed before"
    again = client.post(url, {"answer_0": "changed", "answer_1": "changed", "answer_2": ""})
    assert "nothing was changed" in again.content.decode()
    assert list(Answer.objects.values_list("text", flat=True)) == ["typed before"]
    assert client.get(url[:-3] + "xx/").status_code == 410


def test_themes_page_group_rename_merge_split_move_and_tell(
    client, admin, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    campaign = Campaign.objects.create(name="Spring", status="sending")
    for n, text in enumerate(TEXTS):
        person = create_customer(name=f"Person {n}", emails=[f"p{n}@customer.test"])
        service.record_answers(Invitation.objects.create(campaign=campaign, customer=person, email=f"p{n}@customer.test"),
                               [text, "", ""])
    client.force_login(admin)
    base = f"/voice/interviews/{campaign.pk}/themes/"
    client.post(base)
    assert campaign.themes.count() == 2
    with django_assert_max_num_queries(12):
        page = client.get(base).content.decode()
    assert all(text in page for text in TEXTS) and "50%" in page
    first, second = campaign.themes.all()
    client.post(f"{base}{first.pk}/", {"action": "rename", "name": "Speed"})
    assert InterviewTheme.objects.get(pk=first.pk).name == "Speed"
    client.post(f"{base}{first.pk}/", {"action": "merge", "other": second.pk})
    assert list(campaign.themes.values_list("name", flat=True)) == ["Speed"]
    client.post(f"{base}{first.pk}/", {"action": "split"})
    assert campaign.themes.count() == 2
    answer = Answer.objects.first()
    client.post(f"/voice/interviews/{campaign.pk}/answers/{answer.pk}/move/", {"theme": ""})
    assert Answer.objects.get(pk=answer.pk).theme is None
    theme = campaign.themes.first()
    count = theme.answers.count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        told = client.post(f"{base}{theme.pk}/", {"action": "tell", "text": "We listened."}, follow=True)
    assert f"{count} respondent" in told.content.decode() and mail.outbox == []  # the worker sends them
    run_queued_tasks()
    client.post(f"{base}{theme.pk}/", {"action": "tell", "text": ""})
    assert len(mail.outbox) == count
