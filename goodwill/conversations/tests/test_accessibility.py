"""Every control on the workspace pages has an accessible name (label, text or aria-label)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from goodwill.conversations.models import CustomField, Macro
from goodwill.conversations.services import NewAttachment, add_note, receive_message
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}


class ControlNames(HTMLParser):
    """Collects controls without a name. Labels are matched by `for` and by nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.label_depth = 0
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None], bool]] = []
        self.open_buttons: list[dict[str, object]] = []
        self.nameless_buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        elif tag in CONTROLS and attributes.get("type") != "hidden":
            self.controls.append((tag, attributes, self.label_depth > 0))
        elif tag == "button":
            self.open_buttons.append({"attrs": attributes, "text": ""})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1
        elif tag == "button" and self.open_buttons:
            button = self.open_buttons.pop()
            attributes = button["attrs"]
            assert isinstance(attributes, dict)
            if not str(button["text"]).strip() and not attributes.get("aria-label"):
                self.nameless_buttons.append(str(attributes))

    def handle_data(self, data: str) -> None:
        for button in self.open_buttons:
            button["text"] = str(button["text"]) + data

    def nameless(self) -> list[str]:
        missing = [
            f"<{tag} {attributes}>"
            for tag, attributes, in_label in self.controls
            if not in_label
            and not attributes.get("aria-label")
            and not attributes.get("aria-labelledby")
            and attributes.get("id") not in self.label_for
        ]
        return missing + [f"<button {attributes}>" for attributes in self.nameless_buttons]


def nameless_controls(html: str) -> list[str]:
    parser = ControlNames()
    parser.feed(html)
    return parser.nameless()


@pytest.fixture
def rich_conversation(customer, agent):
    CustomField.objects.create(key="plan", label="Plan", type=CustomField.Type.CHOICE, choices=["gold"])
    CustomField.objects.create(key="vip", label="VIP", type=CustomField.Type.BOOLEAN)
    Macro.objects.create(name="Thanks", text="Thank you {customer_name}")
    conversation = make_conversation(customer=customer, assignee=agent)
    receive_message(
        conversation,
        customer=customer,
        text="More\n> old",
        new_text="More",
        html="<p>More</p>",
        attachments=[
            NewAttachment("a.pdf", b"%PDF", "application/pdf"),
            NewAttachment("b.png", b"png", "image/png"),
        ],
    )
    add_note(conversation, by=agent, text="Noted")
    return conversation


def test_the_inbox_names_every_control(client, agent, rich_conversation):
    client.force_login(agent)
    html = client.get(reverse("conversations:inbox"), {"view": "open", "tag": "x"}).content.decode()
    assert 'id="bulk-form"' in html
    assert nameless_controls(html) == []


@pytest.mark.parametrize("persona", ["agent", "light_agent", "admin"])
def test_the_conversation_page_names_every_control(client, request, rich_conversation, persona):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("conversations:detail", args=[rich_conversation.number])).content.decode()
    assert 'id="composer-text"' in html
    assert nameless_controls(html) == []


def test_the_checker_finds_a_nameless_control():
    assert nameless_controls('<input type="text" name="q"><button type="submit"></button>') == [
        "<input {'type': 'text', 'name': 'q'}>",
        "<button {'type': 'submit'}>",
    ]
    assert nameless_controls('<label>Q <input name="q"></label><button aria-label="Go"></button>') == []


@pytest.mark.parametrize("persona", ["agent", "light_agent"])
def test_the_customer_page_names_every_control(client, request, rich_conversation, customer, persona):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    assert nameless_controls(html) == []
