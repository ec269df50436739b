"""Articles: saving keeps a full history; restoring an old revision; who may edit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goodwill.knowledge.models import Article, ArticleRevision
from goodwill.knowledge.selectors import search_for_agents, search_public
from goodwill.knowledge.services import restore_revision, save_article
from goodwill.knowledge.tests.helpers import make_article

pytestmark = pytest.mark.django_db


def test_every_change_is_a_revision_with_its_author(agent, teammate):
    article = make_article(agent, title="Returns", body="Within 30 days.")
    save_article({"body": "Within 60 days."}, by=teammate, article=article, note="New policy")
    revisions = list(article.revisions.order_by("number"))
    assert [(r.number, r.body, r.author) for r in revisions] == [
        (1, "Within 30 days.", agent),
        (2, "Within 60 days.", teammate),
    ]
    assert revisions[1].note == "New policy"
    article.refresh_from_db()
    assert article.revision == 2


def test_saving_without_a_change_adds_no_revision(agent):
    article = make_article(agent)
    save_article({"title": article.title}, by=agent, article=article)
    assert article.revisions.count() == 1


def test_restoring_an_old_revision_makes_it_current_as_a_new_revision(agent):
    article = make_article(agent, body="First text")
    save_article({"body": "Second text"}, by=agent, article=article)
    first = ArticleRevision.objects.get(article=article, number=1)
    restore_revision(first, by=agent)
    article.refresh_from_db()
    assert article.body == "First text"
    assert article.revision == 3
    assert article.revisions.get(number=3).note == "Restored revision 1"
    # The restored text is what search finds now.
    assert search_for_agents("first").articles == [article]
    assert search_for_agents("second").articles == []


def test_light_agents_cannot_edit(light_agent, agent):
    with pytest.raises(PermissionDenied):
        make_article(light_agent)
    article = make_article(agent)
    with pytest.raises(PermissionDenied):
        save_article({"title": "Changed"}, by=light_agent, article=article)
    article.refresh_from_db()
    assert article.title == "How returns work"


def test_a_missing_title_is_refused_and_nothing_changes(agent):
    article = make_article(agent)
    with pytest.raises(ValidationError) as error:
        save_article({"title": "  "}, by=agent, article=article)
    assert "title" in error.value.message_dict
    article.refresh_from_db()
    assert article.title == "How returns work"
    assert article.revisions.count() == 1


def test_a_translation_links_to_the_original_and_one_per_language(agent):
    original = make_article(agent, title="Returns")
    german = make_article(agent, title="Rücksendungen", language="de", translation_of=original)
    assert german.original_id == original.pk
    with pytest.raises(ValidationError):
        make_article(agent, title="Rückgabe", language="de", translation_of=original)
    # A translation of a translation belongs to the same original.
    french = make_article(agent, title="Retours", language="fr", translation_of=german)
    assert french.translation_of_id == original.pk


def test_publishing_sets_the_publication_time_once(agent):
    article = make_article(agent, status=Article.Status.DRAFT)
    assert article.published_at is None
    save_article({"status": Article.Status.PUBLISHED}, by=agent, article=article)
    first = article.published_at
    assert first is not None
    save_article({"body": "Changed"}, by=agent, article=article)
    assert article.published_at == first


def test_search_ranks_the_best_match_first(agent):
    passing = make_article(agent, title="Gift cards", body="You can pay with a voucher. Returns are free.")
    best = make_article(
        agent, title="Returns and refunds", body="Returns: print the returns label. Returns take 3 days."
    )
    found = search_public("returns").articles
    assert found[0] == best
    assert passing in found


def test_search_falls_back_to_any_word_and_says_so(agent):
    article = make_article(agent, title="Returns", body="Print the label.")
    results = search_public("returns unicorn")
    assert results.articles == [article]
    assert results.all_words is False


def test_accents_and_case_do_not_matter(agent):
    article = make_article(agent, title="Rücksendung", body="Paket zurückschicken", language="de")
    assert search_public("rucksendung").articles == [article]
    assert search_public("PAKET").articles == [article]
