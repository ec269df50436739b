"""The demo's web form: /forms/contact/, routed to Support (kept if it exists)."""

from __future__ import annotations

from goodwill.channels.webform.models import WebForm, WebFormField


def seed_web_forms(support_team_id: int) -> WebForm:
    form, created = WebForm.objects.get_or_create(
        slug="contact",
        defaults={
            "name": "Contact us",
            "title": "Contact Fjordlight support",
            "intro": "Tell us what you need and we will answer by email, usually within a working day.",
            "team_id": support_team_id,
        },
    )
    if created:
        WebFormField.objects.create(
            form=form, key="order_number", label="Order number", help_text="If your question is about an order.",
            order=1,
        )
        WebFormField.objects.create(
            form=form, key="topic", label="Topic", kind=WebFormField.Kind.CHOICE,
            choices="Delivery\nReturns and refunds\nProduct question\nSomething else", order=2,
        )
    return form
