"""The schedule form's fields as the panel prints them: built in Python, equal to Django's widgets."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import create_or_update_agent
from goodwill.callbacks.forms import ScheduleForm, unbound_schedule_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phone", ["", "+44 20 7946 0000", 'x" onmouseover="<b>&'])
def test_the_fields_are_what_djangos_widgets_render(agent, teammate, conversation, phone):  # type: ignore[no-untyped-def]
    create_or_update_agent("odd@example.com", name="Ann <b>\"&'", role="agent", password="pw-odd-123")
    create_or_update_agent("light@example.com", name="Light One", role="light", password="pw-light-123")
    for owner in (agent.pk, teammate.pk, None):
        initial = {"phone": phone} | ({"owner": owner} if owner else {})
        form = ScheduleForm(conversation=conversation, initial=initial)
        shown = unbound_schedule_fields(phone=phone, owner=owner)
        assert [field.label for field in shown] == [str(form[name].label) for name in form.fields]
        assert [field.id_for_label for field in shown] == [form[name].id_for_label for name in form.fields]
        assert [str(field.widget) for field in shown] == [str(form[name]) for name in form.fields]
        assert [field.is_checkbox for field in shown] == [
            getattr(form.fields[name].widget, "input_type", "") == "checkbox" for name in form.fields
        ]
        assert "Light One" not in str(shown[1].widget) and "Ann &lt;b&gt;" in str(shown[1].widget)
