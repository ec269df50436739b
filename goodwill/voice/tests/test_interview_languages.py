"""Interview campaigns in several languages: each customer reads the three questions in their
language (`de-AT` → `de`), others the campaign's own; leads add and edit languages on the page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from goodwill.customers.services import create_customer
from goodwill.voice import interviews as service
from goodwill.voice.models import Campaign, CampaignWording, Invitation

pytestmark = pytest.mark.django_db

GERMAN = {
    "language": "de",
    "subject": "Drei Fragen",
    "intro": "Wir möchten von Ihnen lernen.",
    "question_1": "Warum kommen Sie wieder?",
    "question_2": "Welche Erlebnisse bedeuten Ihnen am meisten?",
    "question_3": "Was ist Ihnen bei gutem Service am wichtigsten?",
    "thanks": "Danke schön.",
}


@pytest.fixture
def campaign(admin) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = Campaign.objects.create(name="Loyalty", created_by=admin)
    service.save_wording(campaign, GERMAN)
    return campaign


def person(name: str, language: str):  # type: ignore[no-untyped-def]
    customer = create_customer(name=name, emails=[f"{name.lower()}@customer.test"])
    customer.language = language
    customer.save()
    return customer


def test_words_follow_the_customers_language_with_the_campaigns_own_as_fallback(campaign):
    assert service.words_for(campaign, "de-AT").questions[0] == "Warum kommen Sie wieder?"
    assert service.words_for(campaign, "de").subject == "Drei Fragen"
    assert service.words_for(campaign, "fr").questions[0] == "What keeps you coming back?"
    assert service.words_for(campaign, "").language == "en"


def test_each_invitee_is_mailed_and_answers_in_their_language(campaign, client):
    for who in (person("Jens", "de-DE"), person("Amy", "")):
        Invitation.objects.create(campaign=campaign, customer=who, email=who.primary_email)
    campaign.status = Campaign.Status.SENDING
    campaign.save()
    service.send_interviews(timezone.now())
    by_address = {message.to[0]: message for message in mail.outbox}
    german = by_address["jens@customer.test"]
    assert german.subject == "Drei Fragen" and "Warum kommen Sie wieder?" in german.body
    assert "What keeps you coming back?" in by_address["amy@customer.test"].body
    jens = Invitation.objects.get(customer__name="Jens")
    page = client.get(f"/interview/{service.token_for(jens)}/").content.decode()
    assert '<html lang="de">' in page and "Warum kommen Sie wieder?" in page
    done = client.post(f"/interview/{service.token_for(jens)}/", {"answer_0": "Die Leute."}).content.decode()
    assert "Danke schön." in done


def test_the_language_rule_picks_speakers_of_any_campaign_language(campaign):
    person("Jens", "de"), person("Amy", ""), person("Marie", "fr")
    chosen = service.select_customers(service.Selection(min_conversations=0, language="en,de"))[0]
    assert {c.name for c in chosen} == {"Jens", "Amy"}


def test_a_lead_adds_edits_and_removes_a_language_on_the_page(client, admin, campaign):
    client.force_login(admin)
    french = {
        **GERMAN,
        "language": "fr",
        "subject": "Trois questions",
        "question_1": "Pourquoi revenez-vous ?",
    }
    assert client.post(f"/voice/interviews/{campaign.pk}/wording/", french).status_code == 302
    french["question_1"] = "Qu'est-ce qui vous fait revenir ?"
    client.post(f"/voice/interviews/{campaign.pk}/wording/", french)
    assert CampaignWording.objects.get(language="fr").question_1 == "Qu'est-ce qui vous fait revenir ?"
    page = client.get(f"/voice/interviews/{campaign.pk}/").content.decode()
    assert "Qu&#x27;est-ce qui vous fait revenir ?" in page and "en,de,fr" in page
    refused = client.post(f"/voice/interviews/{campaign.pk}/wording/", {**french, "question_2": ""})
    assert refused.status_code == 400
    client.post(f"/voice/interviews/{campaign.pk}/wording/", {"language": "fr", "action": "delete"})
    assert list(campaign.wordings.values_list("language", flat=True)) == ["de"]


def test_the_campaigns_own_language_is_not_a_second_wording(campaign):
    with pytest.raises(ValidationError):
        service.save_wording(campaign, {**GERMAN, "language": "en-GB"})
