"""The knowledge base in the workspace: agents edit, light agents read, history and restore."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.conversations.models import ContactReason
from goodwill.knowledge.models import Article, Category
from goodwill.knowledge.tests.helpers import make_article

pytestmark = pytest.mark.django_db


def _form(**changes):  # type: ignore[no-untyped-def]
    data = {
        "title": "Delivery times",
        "body": "Orders arrive in **2 to 4** days.",
        "language": "en",
        "status": "published",
        "visibility": "public",
        "note": "",
    }
    data.update(changes)
    return data


def test_an_agent_writes_and_publishes_an_article(client, agent):
    need = ContactReason.objects.create(name="Where is my order")
    client.force_login(agent)
    response = client.post(reverse("knowledge:new"), _form(needs=[need.pk]))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "knowledge:edit", args=[article.pk]
    )
    assert article.is_public and list(article.needs.all()) == [need]
    assert article.revisions.get().author == agent
    html = client.get(reverse("knowledge:edit", args=[article.pk])).content.decode()
    assert "<strong>2 to 4</strong>" in html and "History (1 revision)" in html


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, agent):
    client.force_login(agent)
    response = client.post(reverse("knowledge:new"), _form(title="", body="Kept text"))
    assert response.status_code == 400
    assert "Kept text" in response.content.decode()
    assert not Article.objects.exists()


def test_a_duplicate_translation_is_refused_with_a_message(client, agent):
    original = make_article(agent)
    make_article(agent, title="Rücksendungen", language="de", translation_of=original)
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:new"), _form(title="Rückgabe", language="de", translation_of=original.pk)
    )
    assert response.status_code == 400
    assert "already has a version in de" in response.content.decode()


def test_a_light_agent_reads_but_cannot_edit(client, agent, light_agent):
    article = make_article(agent, visibility=Article.Visibility.INTERNAL)
    client.force_login(light_agent)
    listing = client.get(reverse("knowledge:articles")).content.decode()
    assert article.title in listing and "New article" not in listing
    page = client.get(reverse("knowledge:edit", args=[article.pk])).content.decode()
    assert "Save article" not in page
    assert client.post(reverse("knowledge:edit", args=[article.pk]), _form()).status_code == 403
    assert client.post(reverse("knowledge:categories"), {"name": "New"}).status_code == 403
    assert client.post(reverse("knowledge:restore", args=[article.pk, 1])).status_code == 403
    article.refresh_from_db()
    assert article.title == "How returns work"


def test_pages_need_a_sign_in(client, agent):
    article = make_article(agent)
    for url in (
        reverse("knowledge:articles"),
        reverse("knowledge:edit", args=[article.pk]),
        reverse("knowledge:report"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_history_shows_each_revision_and_restores_one(client, agent, teammate):
    article = make_article(agent, body="Version one")
    client.force_login(teammate)
    client.post(
        reverse("knowledge:edit", args=[article.pk]),
        _form(title=article.title, body="Version two", note="Clearer"),
    )
    history = client.get(reverse("knowledge:history", args=[article.pk])).content.decode()
    assert "Revision 1" in history and "Revision 2" in history and "Clearer" in history
    assert "Sam Agent" in history and "Tess Teammate" in history
    old = client.get(reverse("knowledge:revision", args=[article.pk, 1])).content.decode()
    assert "Version one" in old and "Restore this revision" in old and "data-confirm" in old
    response = client.post(reverse("knowledge:restore", args=[article.pk, 1]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Version one" and article.revision == 3


def test_agents_search_drafts_and_internal_articles(client, agent):
    make_article(agent, title="Secret courier codes", body="Internal", visibility=Article.Visibility.INTERNAL)
    make_article(agent, title="Courier draft", body="Draft", status=Article.Status.DRAFT)
    client.force_login(agent)
    html = client.get(reverse("knowledge:articles"), {"q": "courier"}).content.decode()
    assert "Secret courier codes" in html and "Courier draft" in html


def test_categories_are_added_with_a_unique_address(client, agent):
    client.force_login(agent)
    client.post(reverse("knowledge:categories"), {"name": "Billing", "position": "1"})
    client.post(reverse("knowledge:categories"), {"name": "Billing", "position": "2"})
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["billing", "billing-2"]
    assert client.post(reverse("knowledge:categories"), {"name": ""}).status_code == 400


def test_the_list_page_has_a_constant_number_of_queries(client, agent, django_assert_max_num_queries):
    category = Category.objects.create(name="C", slug="c")
    for index in range(15):
        make_article(agent, title=f"Article {index}", category=category)
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("knowledge:articles")).status_code == 200
