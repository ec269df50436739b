"""/forms/<slug>/: works without JS, keeps what was typed, refuses spam, frames only where allowed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from goodwill.channels.webform import services
from goodwill.channels.webform.models import Submission
from goodwill.channels.webform.tests.conftest import filled
from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_subscribers():  # type: ignore[no-untyped-def]
    with subscribed({}):
        yield


def test_the_form_shows_every_field_with_a_label_and_a_token(client, web_form):
    page = client.get("/forms/contact/")
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("Your name", "Your email address", "Subject", "Order number", "Topic", "How can we help?"):
        assert label in html
    assert 'name="token" value="' in html and 'name="website"' in html
    assert 'aria-hidden="true"' in html  # the honeypot is hidden from people and screen readers
    assert page["Cache-Control"] == "private, no-store"


def test_an_unknown_or_switched_off_form_is_a_404(client, web_form):
    assert client.get("/forms/nope/").status_code == 404
    web_form.is_active = False
    web_form.save()
    assert client.get("/forms/contact/").status_code == 404


def test_sending_files_the_request_and_shows_thanks(client, web_form):
    answer = client.post("/forms/contact/", filled(web_form))
    assert answer.status_code == 302 and answer["Location"] == "/forms/contact/sent/"
    conversation = Conversation.objects.get()
    assert conversation.channel == "webform" and conversation.subject == "Parcel never came"
    assert "Order number: A-1042" in conversation.messages.get().text
    thanks = client.get(answer["Location"]).content.decode()
    assert web_form.thank_you in thanks


def test_a_missing_field_keeps_what_was_typed_and_changes_nothing(client, web_form):
    answer = client.post("/forms/contact/", filled(web_form, x_order_number="", email="not-an-address"))
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "My parcel was due on Monday and has not arrived." in html
    assert 'value="Maria Lopez"' in html
    assert "Enter a valid email address." in html and 'role="alert"' in html
    assert Conversation.objects.count() == 0


def test_the_honeypot_refuses_and_keeps_the_text(client, web_form):
    answer = client.post("/forms/contact/", filled(web_form, website="http://spam.example"))
    assert answer.status_code == 400
    assert "looks automated" in answer.content.decode()
    assert "has not arrived" in answer.content.decode()
    assert Conversation.objects.count() == 0


def test_a_post_faster_than_a_person_is_refused(client, web_form):
    answer = client.post("/forms/contact/", filled(web_form, token=services.issue_token(web_form)))
    assert answer.status_code == 400 and "quicker than a person" in answer.content.decode()
    assert Conversation.objects.count() == 0


def test_a_replayed_post_is_refused(client, web_form):
    data = filled(web_form)
    assert client.post("/forms/contact/", data).status_code == 302
    again = client.post("/forms/contact/", data)
    assert again.status_code == 409 and "sent already" in again.content.decode()
    assert Submission.objects.count() == 1


def test_a_forged_token_is_refused(client, web_form):
    answer = client.post("/forms/contact/", filled(web_form, token="made-up"))
    assert answer.status_code == 400 and Conversation.objects.count() == 0


def test_one_address_may_post_only_so_often(client, web_form, settings):
    for number in range(services.POSTS_PER_IP):
        client.post("/forms/contact/", filled(web_form, subject=f"Question {number}"))
    refused = client.post("/forms/contact/", filled(web_form, subject="One more"))
    assert refused.status_code == 429 and "One more" in refused.content.decode()
    assert Conversation.objects.count() == services.POSTS_PER_IP


def test_files_come_along_within_the_portals_caps(client, web_form, settings):
    data = filled(web_form, attachments=SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg"))
    assert client.post("/forms/contact/", data).status_code == 302
    attachment = Conversation.objects.get().messages.get().attachments.get()
    assert attachment.filename == "photo.jpg"
    settings.UPLOAD_MAX_FILE_BYTES = 10
    big = filled(
        web_form, subject="Big", attachments=SimpleUploadedFile("big.bin", b"x" * 5000, "application/octet-stream")
    )
    answer = client.post("/forms/contact/", big)
    assert answer.status_code == 413 and "has not arrived" in answer.content.decode()
    assert Conversation.objects.count() == 1


def test_only_allowed_origins_may_frame_the_form(client, web_form):
    page = client.get("/forms/contact/?embed=1")
    assert "frame-ancestors https://shop.example" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    web_form.allowed_origins = ""
    web_form.save()
    page = client.get("/forms/contact/?embed=1")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_the_embed_script_points_at_this_form(client, web_form, settings):
    settings.BASE_URL = "https://help.example.org"
    script = client.get("/forms/contact/embed.js")
    source = script.content.decode().encode().decode("unicode_escape")  # escapejs escapes / and =
    assert script["Content-Type"].startswith("text/javascript")
    assert '"https://help.example.org/forms/contact/?embed=1"' in source
    assert 'var origin = "https://help.example.org"' in source


def test_the_embedding_origin_is_recorded_only_when_allowed(client, web_form):
    client.post("/forms/contact/", filled(web_form, embedded_from="https://shop.example", embed="1"))
    client.post("/forms/contact/", filled(web_form, subject="Other", embedded_from="https://evil.example"))
    assert sorted(Submission.objects.values_list("origin", flat=True)) == ["", "https://shop.example"]


def test_the_request_shows_in_the_customers_portal(client, web_form):
    from goodwill.channels.portal.services import SESSION_KEY

    client.post("/forms/contact/", filled(web_form))
    conversation = Conversation.objects.get()
    session = client.session
    session[SESSION_KEY] = conversation.customer_id
    session.save()
    portal = client.get("/portal/").content.decode()
    assert "Parcel never came" in portal


def test_the_form_asks_the_help_centre_while_the_visitor_types(client, web_form):
    from goodwill.knowledge.services import save_article

    save_article(
        {"title": "Where is my parcel?", "body": "Track a parcel that never arrived with the link in your email.",
         "status": "published", "visibility": "public"},
        by=None,
    )
    html = client.get("/forms/contact/").content.decode()
    assert 'hx-get="/help/suggest?source=webform"' in html
    answer = client.get("/help/suggest", {"source": "webform", "subject": "", "message": "my parcel never arrived"})
    assert "Where is my parcel?" in answer.content.decode()
