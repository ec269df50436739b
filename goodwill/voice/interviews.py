"""Customer interviews: choose the best customers, ask them three open questions by a signed
link, remind once, thank them, group the answers into themes a lead can edit, and tell each
respondent once what was done about a theme.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent, TeamMembership
from goodwill.core.deliveries import DeliveryBusy, send_once
from goodwill.core.models import Delivery
from goodwill.core.tasks import retrying_task
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.voice.models import Answer, Campaign, CampaignWording, InterviewTheme, Invitation, Survey

logger = logging.getLogger("goodwill.voice")

SALT = "goodwill.voice.interview"
LINK_LIFETIME = timedelta(days=60)
SEND_BATCH = 200
MAX_ANSWER = 5000
LIMITS = {"name": 200, "language": 12, "subject": 200}


class InterviewClosed(Exception):
    """The link is forged or expired, the campaign is closed, or the answers are in already."""


def may_run_interviews(agent: Agent) -> bool:
    """Admins and team leads run campaigns and edit themes."""
    return agent.is_admin or TeamMembership.objects.filter(agent=agent, is_lead=True, agent__is_active=True).exists()


# ---- campaigns -------------------------------------------------------------------------------


def save_campaign(campaign: Campaign, data: dict[str, str]) -> Campaign:
    """Validate and store the editable fields (name, language, questions, intro, reminder)."""
    errors: dict[str, str] = {}
    for field in ("name", "language", "subject", "question_1", "question_2", "question_3"):
        if field in data:
            value = data[field].strip()
            if not value:
                errors[field] = "This cannot be empty."
            setattr(campaign, field, value[: LIMITS.get(field, 300)])
    for field in ("intro", "thanks"):
        if field in data:
            setattr(campaign, field, data[field].strip())
    if "remind_after_days" in data:
        raw = data["remind_after_days"].strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 60:
            errors["remind_after_days"] = "Remind after 1 to 60 days."
        else:
            campaign.remind_after_days = int(raw)
    if errors:
        raise ValidationError(errors)
    campaign.save()
    return campaign


@dataclass
class Words:
    """What one invitee reads: the campaign's own words, or those of a language the customer speaks."""

    language: str
    subject: str
    intro: str
    questions: list[str]
    thanks: str


def _base(language: str) -> str:
    return (language or "en").lower().split("-")[0]


def words_for(campaign: Campaign, language: str) -> Words:
    """The wording in the customer's language (`de-AT` → `de`), else the campaign's own."""
    wanted = (language or "").lower()
    wordings = {wording.language.lower(): wording for wording in campaign.wordings.all()}
    chosen: Campaign | CampaignWording = campaign
    if wanted and _base(wanted) != _base(campaign.language):
        chosen = wordings.get(wanted) or wordings.get(_base(wanted)) or campaign
    return Words(chosen.language, chosen.subject, chosen.intro, chosen.questions, chosen.thanks)


def languages(campaign: Campaign) -> list[str]:
    return [campaign.language, *(w.language for w in campaign.wordings.all())]


def save_wording(campaign: Campaign, data: dict[str, str]) -> CampaignWording:
    """Add or change the campaign's words in one more language (the three questions included)."""
    language = (data.get("language") or "").strip().lower()[:12]
    errors: dict[str, str] = {}
    if not language:
        errors["language"] = "Say which language, e.g. de."
    elif _base(language) == _base(campaign.language):
        errors["language"] = "That is the campaign's own language; edit its questions above."
    values = {}
    for field in ("subject", "intro", "question_1", "question_2", "question_3", "thanks"):
        values[field] = (data.get(field) or "").strip()[: LIMITS.get(field, 300) if field != "intro" else None]
        if not values[field]:
            errors[field] = "This cannot be empty."
    if errors:
        raise ValidationError(errors)
    wording, _ = CampaignWording.objects.update_or_create(campaign=campaign, language=language, defaults=values)
    return wording


def set_status(campaign: Campaign, status: str) -> None:
    """draft → sending → closed; closing stops mail and answers."""
    allowed = {Campaign.Status.DRAFT: {Campaign.Status.SENDING}, Campaign.Status.SENDING: {Campaign.Status.CLOSED}}
    if status not in allowed.get(Campaign.Status(campaign.status), set()):
        raise ValidationError(f"A {campaign.get_status_display().lower()} campaign cannot become {status}.")
    if status == Campaign.Status.SENDING and not campaign.invitations.exists():
        raise ValidationError("Choose whom to ask first.")
    Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(status=status)
    campaign.status = status


# ---- choosing customers ----------------------------------------------------------------------


@dataclass
class Selection:
    min_tenure_days: int | None = None
    min_conversations: int | None = None
    positive_feedback: bool = False
    emails: str = ""  # pasted by hand: then only these
    language: str = ""  # only customers who speak it (blank language counts as English)
    min_org_value: Decimal | None = None  # their organisation is worth at least this
    top_organisations: int | None = None  # their organisation is among the N most valuable

    @property
    def has_rule(self) -> bool:
        return (self.min_tenure_days is not None or self.min_conversations is not None or self.positive_feedback
                or self.min_org_value is not None or self.top_organisations is not None)

    @classmethod
    def from_form(cls, data: dict[str, str]) -> Selection:
        def number(name: str) -> int | None:
            raw = (data.get(name) or "").strip()
            if not raw:
                return None
            if not raw.isdigit():
                raise ValidationError({name: "Enter a whole number."})
            return int(raw)

        def amount(name: str) -> Decimal | None:
            raw = (data.get(name) or "").strip().replace(",", "")
            if not raw:
                return None
            try:
                return Decimal(raw)
            except ArithmeticError:
                raise ValidationError({name: "Enter an amount like 50000."}) from None

        return cls(number("min_tenure_days"), number("min_conversations"),
                   data.get("positive_feedback") in ("1", "on", "true"), data.get("emails", ""),
                   (data.get("language") or "").strip().lower(), amount("min_org_value"), number("top_organisations"))

    def pasted(self) -> list[str]:
        parts = self.emails.replace(",", " ").replace(";", " ").split()
        return list(dict.fromkeys(Identity.normalise_email(p) for p in parts if p.strip()))


def select_customers(selection: Selection, *, now: datetime | None = None) -> tuple[QuerySet[Customer], list[str]]:
    """The customers a selection picks (with an email address, not internal), and pasted addresses nobody has."""
    now = now or timezone.now()
    with_email = Identity.objects.filter(customer=OuterRef("pk"), kind=Identity.Kind.EMAIL)
    customers = Customer.objects.filter(Exists(with_email), is_internal=False)
    unknown: list[str] = []
    pasted = selection.pasted()
    if pasted:
        known = set(Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=pasted).values_list("value", flat=True))
        unknown = [address for address in pasted if address not in known]
        return customers.filter(identities__kind=Identity.Kind.EMAIL, identities__value__in=pasted).distinct(), unknown
    if not selection.has_rule:
        raise ValidationError("Choose at least one rule, or paste addresses.")
    if selection.language:
        speaks = Q(pk__in=[])
        for code in selection.language.replace(" ", "").split(","):
            base = _base(code)
            speaks |= Q(language__iexact=base) | Q(language__istartswith=f"{base}-")
            if base == "en":
                speaks |= Q(language="")
        customers = customers.filter(speaks)
    if selection.min_tenure_days is not None:
        customers = customers.annotate(first_contact=Min("conversations__created_at")).filter(
            first_contact__lte=now - timedelta(days=selection.min_tenure_days)
        )
    if selection.min_conversations is not None:
        customers = customers.annotate(conversation_count=Count("conversations", distinct=True)).filter(
            conversation_count__gte=selection.min_conversations
        )
    if selection.min_org_value is not None:
        customers = customers.filter(organisation__value__gte=selection.min_org_value)
    if selection.top_organisations is not None:
        top = Organisation.objects.filter(value__isnull=False).order_by("-value", "pk")[: selection.top_organisations]
        customers = customers.filter(organisation__in=list(top.values_list("pk", flat=True)))
    if selection.positive_feedback:
        happy = Survey.objects.filter(customer=OuterRef("pk"), outcome=Survey.Outcome.YES, conduct__gte=4)
        customers = customers.filter(Exists(happy))
    return customers, unknown


def preview(campaign: Campaign, selection: Selection) -> tuple[int, int, list[str]]:
    """How many a selection picks, how many of those are new to this campaign, and unknown addresses."""
    customers, unknown = select_customers(selection)
    picked = customers.values("pk")
    total = Customer.objects.filter(pk__in=picked).count()
    new = Customer.objects.filter(pk__in=picked).exclude(interview_invitations__campaign=campaign).count()
    return total, new, unknown


def invite(campaign: Campaign, selection: Selection) -> int:
    """Add the selected customers to the campaign (never one twice); returns how many were added."""
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError("This campaign is closed.")
    customers, _unknown = select_customers(selection)
    already = Invitation.objects.filter(campaign=campaign).values("customer_id")
    fresh = (
        Customer.objects.filter(pk__in=customers.values("pk")).exclude(pk__in=already)
        .prefetch_related(Prefetch("identities", Identity.objects.filter(kind=Identity.Kind.EMAIL).order_by("pk")))
    )
    rows = []
    for customer in fresh.iterator(chunk_size=500):
        emails = list(customer.identities.all())
        if emails:
            rows.append(Invitation(campaign=campaign, customer=customer, email=emails[0].value))
    created = Invitation.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(created)


# ---- signed links ----------------------------------------------------------------------------


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=SALT)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link belongs to; InterviewClosed when forged, expired or the campaign closed."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        raise InterviewClosed("This link is not valid or has expired.") from None
    pk = payload.get("i") if isinstance(payload, dict) else None
    invitation = (
        Invitation.objects.select_related("campaign", "customer").filter(pk=pk).first() if isinstance(pk, int) else None
    )
    if invitation is None:
        raise InterviewClosed("This interview no longer exists.")
    if invitation.campaign.status == Campaign.Status.CLOSED and invitation.answered_at is None:
        raise InterviewClosed("This interview is closed. Thank you all the same.")
    return invitation


def answer_url(invitation: Invitation) -> str:
    return f"{settings.BASE_URL.rstrip('/')}{reverse('voice:interview', args=[token_for(invitation)])}"


def record_answers(invitation: Invitation, texts: list[str], *, now: datetime | None = None) -> Invitation:
    """Store the three answers once; InterviewClosed on a replay (nothing changes)."""
    now = now or timezone.now()
    cleaned = [(text or "").strip()[:MAX_ANSWER] for text in texts[:3]]
    if not any(cleaned):
        raise ValidationError("Please answer at least one question.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("campaign").get(pk=invitation.pk)
        if locked.answered_at is not None:
            raise InterviewClosed("Thank you, we have your answers already.")
        if locked.campaign.status == Campaign.Status.CLOSED:
            raise InterviewClosed("This interview is closed. Thank you all the same.")
        Answer.objects.bulk_create(
            [Answer(invitation=locked, question=index, text=text) for index, text in enumerate(cleaned) if text]
        )
        locked.answered_at = now
        locked.save(update_fields=["answered_at"])
    return locked


# ---- mail ------------------------------------------------------------------------------------


def _mail(key: str, to: str, subject: str, body: str) -> bool:
    """Send once per key (retried runs and several workers never send twice); False when not sent now."""
    mail = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
                                  headers={"Auto-Submitted": "auto-generated"})
    try:
        send_once(key, mail)
    except DeliveryBusy:
        return False
    except Exception:
        logger.exception("interview mail %s failed; the next run tries again", key)
        return False
    return True


def _greeting(invitation: Invitation) -> str:
    name = invitation.customer.preferred_name or invitation.customer.name.split(" ")[0]
    return f"Hello {name}," if name else "Hello,"


def invitation_words(invitation: Invitation) -> Words:
    return words_for(invitation.campaign, invitation.customer.language)


def _invitation_body(invitation: Invitation, *, reminder: bool) -> str:
    words = invitation_words(invitation)
    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(words.questions, start=1))
    lead = "A gentle reminder, in case our questions got lost.\n\n" if reminder else ""
    return (f"{_greeting(invitation)}\n\n{lead}{words.intro}\n\n{questions}\n\n"
            f"Answer here (no login needed): {answer_url(invitation)}\n")


def send_interviews(now: datetime) -> str:
    """Periodic: mail each invitation of a sending campaign once, remind once, thank each respondent once."""
    base = Invitation.objects.select_related("campaign", "customer").filter(campaign__status=Campaign.Status.SENDING)
    invited = reminded = thanked = 0
    for invitation in base.filter(sent_at__isnull=True).order_by("pk")[:SEND_BATCH]:
        subject = invitation_words(invitation).subject
        if _mail(f"interview:{invitation.pk}", invitation.email, subject, _invitation_body(invitation, reminder=False)):
            Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=now)
            invited += 1
    for campaign in Campaign.objects.filter(status=Campaign.Status.SENDING):
        due = base.filter(campaign=campaign, answered_at__isnull=True, reminded_at__isnull=True,
                          sent_at__lte=now - timedelta(days=campaign.remind_after_days))
        for invitation in due.order_by("pk")[:SEND_BATCH]:
            subject = f"Reminder: {invitation_words(invitation).subject}"
            if _mail(f"interview-remind:{invitation.pk}", invitation.email, subject,
                     _invitation_body(invitation, reminder=True)):
                Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(reminded_at=now)
                reminded += 1
    answered = Invitation.objects.select_related("campaign", "customer").filter(answered_at__isnull=False, thanked=False)
    for invitation in answered.order_by("pk")[:SEND_BATCH]:
        words = invitation_words(invitation)
        body = f"{_greeting(invitation)}\n\n{words.thanks}\n"
        if _mail(f"interview-thanks:{invitation.pk}", invitation.email, f"Thank you: {words.subject}", body):
            Invitation.objects.filter(pk=invitation.pk).update(thanked=True)
            thanked += 1
    if not (invited or reminded or thanked):
        return ""
    return f"{invited} interviews mailed, {reminded} reminded, {thanked} thanked"


# ---- progress --------------------------------------------------------------------------------


def progress(campaign: Campaign) -> dict[str, int]:
    return campaign.invitations.aggregate(
        invited=Count("pk"), sent=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        thanked=Count("pk", filter=Q(thanked=True)),
    )


# ---- themes ----------------------------------------------------------------------------------


def _answers(campaign: Campaign) -> QuerySet[Answer]:
    return Answer.objects.filter(invitation__campaign=campaign)


def group_campaign(campaign: Campaign) -> int:
    """Group every answer into themes afresh (replacing earlier ones); returns how many themes."""
    if campaign.themes.filter(told_at__isnull=False).exists():
        raise ValidationError("Respondents were told about these themes already; grouping again would lose that. "
                              "Edit the themes by hand instead.")
    # scikit-learn is loaded where grouping runs, not in every web process.
    from goodwill.voice.themes import group_answers

    items = [(str(pk), text) for pk, text in _answers(campaign).values_list("pk", "text")]
    grouping = group_answers(items)
    with transaction.atomic():
        _answers(campaign).update(theme=None)
        campaign.themes.all().delete()
        for found in grouping.themes:
            theme = InterviewTheme.objects.create(campaign=campaign, name=found.name[:200],
                                                  keywords=", ".join(found.keywords)[:300], quotes=found.quotes)
            Answer.objects.filter(pk__in=[int(pk) for pk in found.ids]).update(theme=theme)
        Campaign.objects.filter(pk=campaign.pk).update(grouped_at=timezone.now(), grouped_with=grouping.method)
    return len(grouping.themes)


def rename_theme(theme: InterviewTheme, name: str) -> None:
    name = name.strip()
    if not name:
        raise ValidationError("A theme needs a name.")
    InterviewTheme.objects.filter(pk=theme.pk).update(name=name[:200], edited=True)


def merge_themes(keep: InterviewTheme, other: InterviewTheme) -> None:
    """Move every answer of `other` into `keep`, and drop `other`."""
    if keep.pk == other.pk or keep.campaign_id != other.campaign_id:
        raise ValidationError("Choose another theme of the same campaign.")
    with transaction.atomic():
        Answer.objects.filter(theme=other).update(theme=keep)
        quotes = (keep.quotes or []) + [q for q in (other.quotes or []) if q not in (keep.quotes or [])]
        InterviewTheme.objects.filter(pk=keep.pk).update(edited=True, quotes=quotes[:5])
        other.delete()


def split_theme(theme: InterviewTheme) -> InterviewTheme:
    """Group the theme's answers in two; the second group becomes a new theme. Returns it."""
    from goodwill.voice.themes import group_answers  # scikit-learn, loaded here as above

    items = [(str(pk), text) for pk, text in theme.answers.values_list("pk", "text")]
    grouping = group_answers(items, k=2)
    if len(grouping.themes) < 2:
        raise ValidationError("These answers cannot be split in two; move answers by hand instead.")
    first, second = grouping.themes[0], grouping.themes[1]
    with transaction.atomic():
        created = InterviewTheme.objects.create(
            campaign_id=theme.campaign_id, name=second.name[:200], keywords=", ".join(second.keywords)[:300],
            quotes=second.quotes, edited=True,
        )
        Answer.objects.filter(pk__in=[int(pk) for pk in second.ids]).update(theme=created)
        InterviewTheme.objects.filter(pk=theme.pk).update(edited=True, quotes=first.quotes)
    return created


def move_answer(answer: Answer, theme: InterviewTheme | None) -> None:
    if theme is not None and theme.campaign_id != answer.invitation.campaign_id:
        raise ValidationError("That theme belongs to another campaign.")
    Answer.objects.filter(pk=answer.pk).update(theme=theme)
    if theme is not None:
        InterviewTheme.objects.filter(pk=theme.pk).update(edited=True)


@dataclass
class ThemeView:
    theme: InterviewTheme
    answers: list[Answer]
    share: float  # of the campaign's answers


def themes_with_answers(campaign: Campaign) -> tuple[list[ThemeView], list[Answer]]:
    """Each theme with all its answers and its share, largest first; and the unassigned answers."""
    answers = list(_answers(campaign).select_related("invitation__customer").order_by("pk"))
    total = len(answers) or 1
    by_theme: dict[int | None, list[Answer]] = {}
    for answer in answers:
        by_theme.setdefault(answer.theme_id, []).append(answer)
    views = [ThemeView(theme, by_theme.get(theme.pk, []), len(by_theme.get(theme.pk, [])) / total)
             for theme in campaign.themes.all()]
    views.sort(key=lambda view: -len(view.answers))
    return views, by_theme.get(None, [])


# ---- telling respondents what we did ---------------------------------------------------------


def tell_respondents(theme: InterviewTheme, text: str) -> int:
    """Mail one message to everyone whose answer is in the theme, each once, from the worker (one
    retried task per respondent, guarded by its Delivery key). The first text is kept; pressing
    again only queues those not reached yet. Returns how many were queued now."""
    text = text.strip()
    if not theme.told_text:
        if not text:
            raise ValidationError("Write what the company did about this theme.")
        InterviewTheme.objects.filter(pk=theme.pk, told_text="").update(told_text=text, told_at=timezone.now())
        theme.refresh_from_db()
    invitations = list(
        Invitation.objects.filter(answers__theme=theme).distinct().order_by("pk").values_list("pk", flat=True)
    )
    keys = {pk: _told_key(pk, theme.pk) for pk in invitations}
    sent = set(Delivery.objects.filter(key__in=keys.values(), state=Delivery.State.SENT).values_list("key", flat=True))
    waiting = [pk for pk in invitations if keys[pk] not in sent]
    for pk in waiting:
        transaction.on_commit(partial(tell_respondent.enqueue, theme.pk, pk))
    return len(waiting)


def _told_key(invitation_pk: int, theme_pk: int) -> str:
    return f"interview-told:{invitation_pk}:{theme_pk}"


@retrying_task(max_attempts=8, backoff_base=60.0)
def tell_respondent(theme_pk: int, invitation_pk: int) -> None:
    """Mail one respondent what was done about the theme; sent once per key however often it runs.
    A failed or busy send raises, so the task is retried with backoff."""
    theme = InterviewTheme.objects.filter(pk=theme_pk).exclude(told_text="").first()
    invitation = Invitation.objects.select_related("campaign", "customer").filter(pk=invitation_pk).first()
    if theme is None or invitation is None:
        return  # regrouped, or the customer was erased meanwhile
    body = (f"{_greeting(invitation)}\n\nYou answered our questions in \"{invitation.campaign.name}\". "
            f"Here is what we did with what you and others told us:\n\n{theme.told_text}\n\nThank you.\n")
    if not _mail(_told_key(invitation.pk, theme.pk), invitation.email, f"What we did: {theme.name}", body):
        raise TellNotSent(f"interview-told mail to invitation {invitation.pk} not sent yet")


class TellNotSent(Exception):
    """Raised to have the task retried later."""
