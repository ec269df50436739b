from __future__ import annotations

from django import template

from goodwill.expectations.reports import hours as hours_of

register = template.Library()


@register.filter
def wait(seconds: int | None) -> str:
    return hours_of(seconds)
