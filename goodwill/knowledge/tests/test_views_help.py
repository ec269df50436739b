"""The public help centre: no sign-in, no JavaScript, only public published articles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.knowledge.models import Article, SuggestionOpen
from goodwill.knowledge.services import save_category
from goodwill.knowledge.tests.helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(agent):  # type: ignore[no-untyped-def]
    orders = save_category(name="Orders and delivery", description="Tracking, delays", by=agent)
    public = make_article(
        agent, title="Tracking your parcel", body="Use the **tracking** link.", category=orders
    )
    internal = make_article(
        agent,
        title="Courier escalation secret",
        body="Call the tracking desk directly.",
        category=orders,
        visibility=Article.Visibility.INTERNAL,
    )
    draft = make_article(
        agent,
        title="Tracking draft",
        body="Unfinished tracking text.",
        category=orders,
        status=Article.Status.DRAFT,
    )
    return {"category": orders, "public": public, "internal": internal, "draft": draft}


def test_the_home_page_lists_categories_without_sign_in_or_scripts(client, articles):
    response = client.get("/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orders and delivery" in html
    assert "1 article" in html
    assert "htmx.min.js" not in html and "workspace.js" not in html  # plain links and a GET form
    assert "Content-Security-Policy" in response.headers


def test_a_category_page_lists_its_public_articles(client, articles):
    html = client.get(reverse("knowledge:category", args=["orders-and-delivery"])).content.decode()
    assert "Tracking your parcel" in html
    assert "Courier escalation" not in html
    assert "Tracking draft" not in html


def test_an_article_page_renders_markdown_safely(client, agent, articles):
    article = make_article(
        agent, title="Safe", body="**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = client.get(reverse("knowledge:article", args=[article.pk, article.slug])).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript' not in html


def test_search_with_q_finds_public_articles_only(client, articles):
    html = client.get("/help/", {"q": "tracking"}).content.decode()
    assert "Tracking your parcel" in html
    assert "Courier escalation" not in html
    assert "Tracking draft" not in html


def test_internal_and_draft_articles_are_never_reachable(client, articles):
    for key in ("internal", "draft"):
        article = articles[key]
        assert client.get(reverse("knowledge:article", args=[article.pk, article.slug])).status_code == 404
        assert client.get(reverse("knowledge:article_short", args=[article.pk])).status_code == 404
    suggestions = client.get(
        reverse("knowledge:suggest"), {"q": "courier escalation tracking desk"}
    ).content.decode()
    assert "Courier escalation" not in suggestions
    assert "Tracking draft" not in suggestions


def test_an_article_made_internal_disappears_from_the_help_centre(client, agent, articles):
    from goodwill.knowledge.services import save_article

    public = articles["public"]
    save_article({"visibility": Article.Visibility.INTERNAL}, by=agent, article=public)
    assert client.get(reverse("knowledge:article", args=[public.pk, public.slug])).status_code == 404
    assert "Tracking your parcel" not in client.get("/help/", {"q": "tracking"}).content.decode()
    assert client.get(reverse("knowledge:category", args=["orders-and-delivery"])).status_code == 404


def test_nothing_found_says_so(client, articles):
    html = client.get("/help/", {"q": "zebra"}).content.decode()
    assert "Nothing found for “zebra”" in html


def test_a_wrong_slug_redirects_to_the_right_address(client, articles):
    public = articles["public"]
    response = client.get(reverse("knowledge:article", args=[public.pk, "old-title"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:article", args=[public.pk, public.slug])


def test_opening_a_suggested_article_is_recorded_once(client, articles):
    public = articles["public"]
    url = reverse("knowledge:article", args=[public.pk, public.slug])
    response = client.get(url, {"ref": "portal"})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    assert list(SuggestionOpen.objects.values_list("article_id", "source")) == [(public.pk, "portal")]


def test_suggestions_match_any_typed_word(client, articles):
    html = client.get(
        reverse("knowledge:suggest"),
        {"subject": "Parcel late", "text": "My parcel has not arrived, where is it?"},
    ).content.decode()
    assert "Tracking your parcel" in html
    assert "?ref=portal" not in html  # the source defaults to the help centre
    html = client.get(reverse("knowledge:suggest"), {"q": "parcel", "source": "portal"}).content.decode()
    assert "?ref=portal" in html


def test_empty_suggestions_render_nothing(client, articles):
    assert client.get(reverse("knowledge:suggest"), {"q": "the and"}).content.decode().strip() == ""


def test_translations_link_to_each_other_and_the_language_is_chosen(client, agent, articles):
    public = articles["public"]
    german = make_article(
        agent,
        title="Paket verfolgen",
        body="Nutzen Sie den Link.",
        language="de",
        translation_of=public,
        category=articles["category"],
    )
    html = client.get(reverse("knowledge:article", args=[public.pk, public.slug])).content.decode()
    assert "Paket verfolgen" in html and 'hreflang="de"' in html
    category_url = reverse("knowledge:category", args=["orders-and-delivery"])
    assert "Paket verfolgen" in client.get(category_url, {"lang": "de"}).content.decode()
    english = client.get(category_url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert "Tracking your parcel" in english and "Paket verfolgen" not in english
    assert german.pk


def test_the_report_counts_suggested_articles_opened(client, agent, articles):
    public = articles["public"]
    client.get(reverse("knowledge:article", args=[public.pk, public.slug]), {"ref": "portal"})
    client.get(reverse("knowledge:article", args=[public.pk, public.slug]), {"ref": "webform"})
    client.force_login(agent)
    html = client.get(reverse("knowledge:report")).content.decode()
    opens = html[html.index("kb-opens-title") : html.index("kb-model-title")]
    assert "2 suggested articles opened; 0 requests sent from the portal" in opens
    assert "Tracking your parcel" in opens
