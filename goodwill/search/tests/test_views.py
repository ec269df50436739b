from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from goodwill.conversations.services import add_reply, open_conversation, receive_message


@pytest.fixture
def sam(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def _open(customer, subject, text, **kwargs):
    return open_conversation(customer=customer, subject=subject, channel="email", text=text, **kwargs)[0]


def test_it_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get(reverse("search:results"), {"q": "x"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_empty_page_has_a_labelled_search_box(sam):
    response = sam.get(reverse("search:results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_q">Search for</label>' in html
    assert 'role="search"' in html


def test_it_shows_highlighted_hits_of_every_kind(sam, agent, customer):
    conversation = _open(customer, "Carla needs a teapot", "Hello, the teapot lid is cracked")
    add_reply(conversation, by=agent, text="We will send a new teapot lid today.")

    response = sam.get(reverse("search:results"), {"q": "teapot"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<mark>teapot</mark>" in html
    assert f'href="/c/{conversation.number}/"' in html
    assert "send a new <mark>teapot</mark> lid today" in html
    assert response["Vary"].count("HX-Request") == 1


def test_it_escapes_what_customers_wrote(sam, customer):
    _open(customer, "<img src=x onerror=alert(1)> teapot", "<b>teapot</b>")
    html = sam.get(reverse("search:results"), {"q": "teapot"}).content.decode()
    assert "<img src=x" not in html
    assert "<b>teapot" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_leaves_out_other_teams_conversations(sam, customer, billing_team):
    _open(customer, "Secret billing matter", "confidential invoice", team=billing_team)
    html = sam.get(reverse("search:results"), {"q": "confidential"}).content.decode()
    assert "Secret billing matter" not in html
    assert "Nothing found for" in html


def test_it_filters_and_pages_one_kind(sam, customer):
    conversation = _open(customer, "Lots", "sprocket 0")
    for number in range(1, 25):
        receive_message(conversation, customer=customer, text=f"sprocket {number}")

    first = sam.get(reverse("search:results"), {"q": "sprocket", "kind": "messages", "order": "date"})
    html = first.content.decode()
    cursor = first.context["results"].messages.next_cursor
    second = sam.get(
        reverse("search:results"), {"q": "sprocket", "kind": "messages", "order": "date", "cursor": cursor}
    )

    assert len(first.context["results"].messages.hits) == 20
    assert "Next messages" in html
    assert len(second.context["results"].messages.hits) == 5
    assert "Next messages" not in second.content.decode()
    assert first.context["results"].conversations is None


def test_filters_by_status_and_date_range(sam, customer):
    _open(customer, "Fresh gadget", "gadget")
    response = sam.get(
        reverse("search:results"),
        {"q": "gadget", "status": "solved", "since": "2000-01-01", "until": "2100-01-01"},
    )
    assert response.status_code == 200
    assert response.context["results"].is_empty


def test_bad_filter_values_are_shown_not_crashed(sam):
    response = sam.get(reverse("search:results"), {"q": "x", "since": "not-a-date", "kind": "bogus"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_htmx_requests_get_only_the_results(sam, customer):
    _open(customer, "Kettle", "kettle broken")
    response = sam.get(reverse("search:results"), {"q": "kettle"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="search-results"' in html
    assert "<html" not in html


def test_a_customer_hit_links_their_latest_visible_conversation(sam, customer, billing_team):
    visible = _open(customer, "Lamp flickers", "The lamp flickers")
    _open(customer, "Billing secret", "hidden", team=billing_team)
    html = sam.get(reverse("search:results"), {"q": "carla", "kind": "customers"}).content.decode()
    assert f'href="/c/{visible.number}/">#{visible.number} Lamp flickers</a>' in html
    assert "Billing secret" not in html
