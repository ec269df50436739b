"""The filter form's quick select writes the same markup as Django's own select."""

from __future__ import annotations

import re

from django import forms

from goodwill.insights.forms import QuickSelect

CHOICES = [("", "All"), (1, "Tom & Jerry <b>"), (2, 'Quote "Q"'), (30, "Zed")]


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_it_renders_what_djangos_select_renders():
    for value in (None, "", 2, "30"):
        django_field = forms.TypedChoiceField(choices=CHOICES, required=False, coerce=int)
        quick_field = forms.TypedChoiceField(choices=CHOICES, required=False, coerce=int, widget=QuickSelect)
        expected = django_field.widget.render("team", value, attrs={"id": "id_team"})
        assert _normalised(quick_field.widget.render("team", value, attrs={"id": "id_team"})) == _normalised(
            expected
        )
    selected = QuickSelect(choices=CHOICES).render("team", 2, attrs={"id": "id_team"})
    assert '<option value="2" selected>Quote &quot;Q&quot;</option>' in selected
    assert "Tom &amp; Jerry &lt;b&gt;" in selected
