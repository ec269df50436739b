"""HTML from outside (mail, forms) keeps its formatting and loses everything that could run."""

from __future__ import annotations

from goodwill.core.html import sanitise_html


def test_it_keeps_ordinary_formatting() -> None:
    html = "<p>Hello <strong>Carla</strong>,</p><ul><li>one</li></ul><blockquote>quoted</blockquote>"

    assert sanitise_html(html) == html


def test_it_removes_scripts_styles_and_event_handlers() -> None:
    cleaned = sanitise_html(
        '<p onclick="steal()">Hi</p><script>alert(1)</script><style>p{}</style><img src="x.png" onerror="boom()">'
    )

    assert "onclick" not in cleaned
    assert "<script" not in cleaned and "alert(1)" not in cleaned
    assert "<style" not in cleaned
    assert "onerror" not in cleaned
    assert "<p>Hi</p>" in cleaned


def test_it_drops_javascript_links_and_marks_links_as_external() -> None:
    cleaned = sanitise_html('<a href="javascript:alert(1)">bad</a> <a href="https://example.com/">good</a>')

    assert "javascript:" not in cleaned
    assert '<a href="https://example.com/" rel="noopener noreferrer nofollow">good</a>' in cleaned


def test_it_keeps_inline_images_by_content_id() -> None:
    assert 'src="cid:logo@example"' in sanitise_html('<img src="cid:logo@example" alt="Logo">')


def test_it_strips_comments_and_unknown_tags_but_keeps_their_text() -> None:
    cleaned = sanitise_html("<!-- secret --><custom-tag>kept text</custom-tag><iframe src='https://x'></iframe>")

    assert "secret" not in cleaned
    assert "kept text" in cleaned
    assert "iframe" not in cleaned
