"""Article bodies are markdown: rendered, then sanitised like any text from outside."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from goodwill.core.html import sanitise_html

_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
)


def render_markdown(text: str) -> SafeString:
    return mark_safe(sanitise_html(_renderer.render(text or "")))  # noqa: S308 - sanitised just now
