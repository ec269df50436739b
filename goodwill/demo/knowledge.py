"""Demo knowledge base: help-centre articles in a few categories and languages, internal
playbooks, and prepared answers (macros and articles) for most demo needs, so the report
also shows needs that still have none. Then the need classifier is trained on the demo's
labelled conversations and open conversations without a need get a suggestion.

Idempotent: articles are looked up by slug and language, macros by name.
"""

from __future__ import annotations

from goodwill.conversations.models import ContactReason, Conversation, Macro
from goodwill.knowledge import index, need
from goodwill.knowledge.models import Article, ArticleRevision, Category, PreparedAnswerUse

CATEGORIES = (
    ("orders-and-delivery", "Orders and delivery", "Tracking, delays, changing or cancelling an order."),
    ("returns-and-refunds", "Returns and refunds", "Sending items back and getting your money back."),
    ("billing-and-payments", "Billing and payments", "Invoices, payment methods and charges."),
    ("your-account", "Your account", "Signing in, your details and your data."),
    ("using-the-product", "Using the product", "Setting up and getting the most out of it."),
    ("playbooks", "Team playbooks", "How the team handles tricky cases (internal)."),
)

# (slug, category, need "Parent/Leaf", visibility, title, body, {language: (title, body)})
ARTICLES: tuple[tuple[str, str, str, str, str, str, dict[str, tuple[str, str]]], ...] = (
    (
        "track-your-order",
        "orders-and-delivery",
        "Orders/Where is my order",
        "public",
        "Where is my order?",
        "Every order gets a **tracking link** by email as soon as it leaves our warehouse.\n\n"
        "1. Open the shipping confirmation email.\n2. Click *Track my parcel*.\n3. The courier's page shows "
        "where your parcel is.\n\nMost orders arrive within **2 to 4 working days**. If the tracking has not "
        "changed for 3 working days, write to us and we will chase the courier.",
        {
            "de": (
                "Wo ist meine Bestellung?",
                "Jede Bestellung erhält per E-Mail einen **Sendungslink**, sobald sie "
                "unser Lager verlässt. Die meisten Bestellungen kommen in **2 bis 4 Werktagen** an.",
            ),
            "fr": (
                "Où est ma commande ?",
                "Chaque commande reçoit un **lien de suivi** par e-mail dès qu'elle quitte "
                "notre entrepôt. La plupart des commandes arrivent en **2 à 4 jours ouvrés**.",
            ),
        },
    ),
    (
        "return-an-item",
        "returns-and-refunds",
        "Orders/Return",
        "public",
        "How to return an item",
        "Returns are **free within 60 days** of delivery.\n\n1. Ask us for a return label (reply to your "
        "order email or start a request).\n2. Pack the item, ideally in its original box.\n3. Drop the parcel "
        "at any post office.\n\nWe refund you within 3 working days after the parcel is scanned.",
        {
            "de": (
                "Einen Artikel zurücksenden",
                "Rücksendungen sind **60 Tage lang kostenlos**. Bitten Sie uns um "
                "ein Rücksendeetikett und geben Sie das Paket bei einer Postfiliale ab.",
            ),
            "fr": (
                "Retourner un article",
                "Les retours sont **gratuits pendant 60 jours**. Demandez-nous une "
                "étiquette de retour et déposez le colis dans un bureau de poste.",
            ),
        },
    ),
    (
        "damaged-delivery",
        "orders-and-delivery",
        "Orders/Damaged item",
        "public",
        "My item arrived damaged",
        "We are sorry! Send us a **photo of the damage and the box** with your order number. We send a "
        "replacement by express delivery; you do not need to return the damaged item.",
        {},
    ),
    (
        "cancel-an-order",
        "orders-and-delivery",
        "Orders/Cancel order",
        "public",
        "Cancelling an order",
        "You can cancel an order **until it ships**. Write to us with the order number. Once it has shipped, "
        "cancel by returning it instead: see *How to return an item*.",
        {"de": ("Eine Bestellung stornieren", "Sie können eine Bestellung **bis zum Versand** stornieren.")},
    ),
    (
        "refund-timing",
        "returns-and-refunds",
        "Billing/Refund",
        "public",
        "When will I get my refund?",
        "Refunds go back to the **original payment method**:\n\n| Method | Time |\n|---|---|\n"
        "| Card | 3 to 5 working days |\n| PayPal | 1 to 2 days |\n| Bank transfer | up to 7 days |",
        {},
    ),
    (
        "invoice-copy",
        "billing-and-payments",
        "Billing/Invoice copy",
        "public",
        "Getting a copy of your invoice",
        "Invoices are in your account under **Orders › Invoice**. Need your company name or VAT number on "
        "it? Write to us with the order number and the details and we issue a corrected invoice.",
        {},
    ),
    (
        "payment-declined",
        "billing-and-payments",
        "Billing/Payment failed",
        "public",
        "My payment was declined",
        "A declined payment is usually a **3-D Secure** check that was not finished, or a card limit. Try "
        "again, or pay with another method. We never see or store your card number.",
        {},
    ),
    (
        "reset-password",
        "your-account",
        "Account/Password reset",
        "public",
        "Resetting your password",
        "On the sign-in page choose **Forgot password?** and enter your email address. The link is valid "
        "for one hour. No email? Check your spam folder, then write to us.",
        {
            "de": (
                "Passwort zurücksetzen",
                "Wählen Sie auf der Anmeldeseite **Passwort vergessen?** und geben "
                "Sie Ihre E-Mail-Adresse ein. Der Link ist eine Stunde gültig.",
            ),
        },
    ),
    (
        "change-email",
        "your-account",
        "Account/Change email",
        "public",
        "Changing your email address",
        "Go to **Account › Details**, enter the new address and confirm it from the email we send there.",
        {},
    ),
    (
        "setting-up",
        "using-the-product",
        "Product/How to",
        "public",
        "Setting up your new device",
        "1. Charge it fully before the first use.\n2. Hold the power button for 3 seconds.\n3. Follow the "
        "steps in the app.\n\nThe full manual is in the box and in the app under **Help**.",
        {},
    ),
    (
        "courier-escalation",
        "playbooks",
        "Orders/Where is my order",
        "internal",
        "Courier escalation contacts",
        "For parcels stuck more than 3 working days open a claim in the courier portal (*Claims › New*) "
        "and note the claim number on the conversation. Express replacement is approved up to **€150**.",
        {},
    ),
    (
        "refund-limits",
        "playbooks",
        "Billing/Refund",
        "internal",
        "Refund approval limits",
        "Agents refund up to **€200** on their own; above that ask a team lead. Goodwill credits up to **€20** "
        "need no approval.",
        {},
    ),
    (
        "abusive-customers",
        "playbooks",
        "Complaint/",
        "internal",
        "When a customer is abusive",
        "Stay calm and factual. Warn once, in writing. If it continues, hand over to a lead; never answer in kind.",
        {},
    ),
)

# need "Parent/Leaf" -> (macro name, text); needs not listed keep no prepared answer.
MACROS = {
    "Orders/Where is my order": (
        "Order on its way",
        "Hi {customer_name},\n\nI've checked your order: it is on "
        "its way and the tracking link will update within a day.\n\n{agent_name}",
    ),
    "Orders/Return": (
        "Send a return label",
        "Hi {customer_name},\n\nHere is your prepaid return label. Drop the "
        "parcel at any post office; we refund within 3 working days of the scan.\n\n{agent_name}",
    ),
    "Orders/Damaged item": (
        "Replacement for damaged item",
        "Hi {customer_name},\n\nI'm sorry it arrived damaged. "
        "A replacement is on its way by express delivery.\n\n{agent_name}",
    ),
    "Billing/Refund": (
        "Refund issued",
        "Hi {customer_name},\n\nYour refund is on its way to your original payment method.\n\n{agent_name}",
    ),
    "Billing/Double charge": (
        "Double charge reversed",
        "Hi {customer_name},\n\nYou were charged twice by "
        "mistake. I've reversed the second charge.\n\n{agent_name}",
    ),
    "Account/Password reset": (
        "Password reset link",
        "Hi {customer_name},\n\nI've sent you a new password "
        "reset link; it is valid for one hour.\n\n{agent_name}",
    ),
    "Complaint/": (
        "Thank you for telling us",
        "Hi {customer_name},\n\nThank you for telling us; this is not "
        "the service we want to give. Here is what I'm doing about it:\n\n{agent_name}",
    ),
}

SUGGEST_FOR_OPEN = 300
USES_FROM = 5000  # newest answered conversations looked at for prepared answer uses  # open conversations without a need get a suggestion, newest first


def _needs() -> dict[str, ContactReason]:
    found = {}
    for reason in ContactReason.objects.select_related("parent"):
        key = (
            f"{reason.parent.name}/{reason.name}" if reason.parent_id and reason.parent else f"{reason.name}/"
        )
        found[key] = reason
    return found


def seed_knowledge() -> dict[str, int]:
    needs = _needs()
    categories = {
        slug: Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": text, "position": i}
        )[0]
        for i, (slug, name, text) in enumerate(CATEGORIES)
    }
    created = 0
    for slug, category, need_key, visibility, title, body, translations in ARTICLES:
        original, made = _article(slug, "en", title, body, categories[category], visibility, None)
        created += made
        if made and need_key in needs:
            original.needs.add(needs[need_key])
        for language, (other_title, other_body) in translations.items():
            created += _article(
                slug, language, other_title, other_body, categories[category], visibility, original
            )[1]
    for need_key, (name, text) in MACROS.items():
        if need_key in needs:
            Macro.objects.get_or_create(name=name, defaults={"text": text, "need": needs[need_key]})
    index.rebuild_article_index()
    uses = _prepared_answer_uses()
    model = need.train_need_model()
    suggested = 0
    if model is not None:
        open_without = Conversation.objects.filter(need__isnull=True, status__in=["new", "open"]).order_by(
            "-id"
        )
        for conversation in open_without[:SUGGEST_FOR_OPEN]:
            suggested += need.suggest_need(conversation) is not None
    return {"articles": created, "prepared_answer_uses": uses, "need_suggestions": suggested}


def _prepared_answer_uses() -> int:
    """Some of the newest answered conversations used their need's macro (two in five)."""
    if PreparedAnswerUse.objects.exists():
        return 0
    macros = dict(Macro.objects.filter(need__isnull=False).values_list("need_id", "id"))
    answered = [
        row
        for row in Conversation.objects.filter(
            need_id__in=list(macros), assignee__isnull=False, first_response_at__isnull=False
        )
        .order_by("-id")
        .values_list("id", "need_id", "assignee_id", "first_response_at")[:USES_FROM]
        if row[0] % 5 < 2
    ]
    rows = [
        PreparedAnswerUse(
            conversation_id=pk, need_id=need_id, agent_id=agent_id, macro_id=macros[need_id], how="macro"
        )
        for pk, need_id, agent_id, _at in answered
    ]
    created = PreparedAnswerUse.objects.bulk_create(rows, batch_size=1000)
    # Inserted when the first answer was written, not when the demo was loaded.
    for use, row in zip(created, answered, strict=True):
        use.created_at = row[3] or use.created_at
    PreparedAnswerUse.objects.bulk_update(created, ["created_at"], batch_size=1000)
    return len(created)


def _article(
    slug: str,
    language: str,
    title: str,
    body: str,
    category: Category,
    visibility: str,
    original: Article | None,
) -> tuple[Article, int]:
    existing = Article.objects.filter(slug=slug, language=language).first()
    if existing is not None:
        return existing, 0
    article = Article.objects.create(
        slug=slug,
        language=language,
        title=title,
        body=body,
        category=category,
        visibility=visibility,
        status=Article.Status.PUBLISHED,
        translation_of=original,
        revision=1,
        folded_title=index.fold(title),
        folded_body=index.fold(index.plain(body)),
    )
    Article.objects.filter(pk=article.pk).update(published_at=article.created_at)
    ArticleRevision.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        status=article.status,
        visibility=visibility,
        note="Demo data",
    )
    return article, 1
