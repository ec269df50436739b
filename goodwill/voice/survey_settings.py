"""Who may change the survey policies and their per-language wordings, the forms, and the
services that make the changes.

Admins manage every policy, the default one (no team) included; a team lead manages the policy
of each team they lead. Agents and customers manage none. Every change is an audit event
(`core.Event`, kind "other", the policy as its subject, `after.action` saying what was done).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from goodwill.accounts.models import Agent, Team
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.voice.models import SurveyPolicy, SurveyWording


def managed_teams(agent: Agent) -> QuerySet[Team, Team]:
    """The teams whose survey policy the agent may change."""
    if agent.is_admin:
        return Team.objects.order_by("name")
    return Team.objects.filter(
        teammembership__agent=agent, teammembership__is_lead=True, teammembership__agent__is_active=True
    ).order_by("name")


def may_manage(agent: Agent, team_id: int | None) -> bool:
    """May the agent change the policy of this team (None: the default policy)?"""
    if not agent.is_active or agent.is_light:
        return False
    if agent.is_admin:
        return True
    return team_id is not None and managed_teams(agent).filter(pk=team_id).exists()


def may_manage_any(agent: Agent) -> bool:
    return agent.is_active and not agent.is_light and (agent.is_admin or managed_teams(agent).exists())


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SurveyPolicy
        fields = [
            "is_active",
            "delay_hours",
            "cooldown_days",
            "by_email",
            "in_portal",
            "ask_effort",
            "nps_every_months",
        ]
        labels = {
            "is_active": "Send surveys",
            "delay_hours": "Hours after solving",
            "cooldown_days": "Days between two surveys to one customer",
            "by_email": "By email",
            "in_portal": "In the customer portal",
            "ask_effort": "Ask the effort question (CES) instead of the two-axis survey",
            "nps_every_months": "NPS every … months (0 = never)",
        }

    def clean_delay_hours(self) -> int:
        hours: int = self.cleaned_data["delay_hours"]
        if hours > 24 * 30:
            raise forms.ValidationError("At most 720 hours (30 days): later, people no longer remember.")
        return hours

    def clean_nps_every_months(self) -> int:
        months: int = self.cleaned_data["nps_every_months"]
        if months > 24:
            raise forms.ValidationError("At most every 24 months.")
        return months


WORDING_FIELDS = [
    "language", "subject", "intro", "outcome_question", "conduct_question", "comment_prompt", "thanks",
    "nps_subject", "nps_question", "ces_subject", "ces_question",
]  # fmt: skip


class WordingForm(forms.ModelForm):  # type: ignore[type-arg]
    """One language's words; every field is required (an empty question would go out empty)."""

    class Meta:
        model = SurveyWording
        fields = WORDING_FIELDS
        labels = {"language": "Language code (e.g. de, fr, pt-BR)", "intro": "Introduction"}
        widgets = {"intro": forms.Textarea(attrs={"rows": 3}), "thanks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, policy: SurveyPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        for field in self.fields.values():
            field.required = True

    def clean_language(self) -> str:
        language = self.cleaned_data["language"].strip().lower()
        if not language.replace("-", "").isalpha() or len(language) < 2:
            raise forms.ValidationError("Give a language code such as de, fr or pt-br.")
        taken = SurveyWording.objects.filter(policy=self.policy, language=language)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"This policy already has words in {language}; change them below.")
        return language

    def save(self, commit: bool = True) -> SurveyWording:
        self.instance.policy = self.policy
        wording: SurveyWording = super().save(commit=commit)
        return wording


class PolicyTaken(Exception):
    """Someone else set up this team's (or the default) policy a moment ago."""


def set_up_policy(team: Team | None, *, by: Agent) -> SurveyPolicy:
    """The team's own policy (None: the default one), made with the built-in settings; audited.

    Raises PolicyTaken when another request made it meanwhile: the database holds one per team
    and one default (`voice_one_default_policy`), so concurrent submits cannot make two.
    """
    try:
        with transaction.atomic():
            policy = SurveyPolicy.objects.create(team=team)
            _audit(policy, by, "survey_policy.set_up", after=_settings(policy, PolicyForm.Meta.fields))
    except IntegrityError as error:
        raise PolicyTaken from error
    return policy


def change_policy(form: PolicyForm, *, by: Agent) -> SurveyPolicy:
    """Save a valid policy form; the audit event holds each changed setting before and after."""
    with transaction.atomic():
        policy: SurveyPolicy = form.save()
        if form.changed_data:
            before = {name: form.initial.get(name) for name in form.changed_data}
            _audit(
                policy, by, "survey_policy.changed", before=before, after=_settings(policy, form.changed_data)
            )
    return policy


def save_wording(form: WordingForm, *, by: Agent) -> SurveyWording:
    """Add or change one language's words (a valid form); audited like the policy's settings."""
    adding = form.instance.pk is None
    with transaction.atomic():
        wording = form.save()
        if adding:
            _audit(form.policy, by, "survey_wording.added", after=_settings(wording, WORDING_FIELDS))
        elif form.changed_data:
            before = {name: form.initial.get(name) for name in form.changed_data}
            after = {"language": wording.language, **_settings(wording, form.changed_data)}
            _audit(form.policy, by, "survey_wording.changed", before=before, after=after)
    return wording


def delete_wording(wording: SurveyWording, *, by: Agent) -> None:
    """Remove one language's words; the audit event keeps what they were."""
    with transaction.atomic():
        policy = wording.policy
        before = _settings(wording, WORDING_FIELDS)
        wording.delete()
        _audit(policy, by, "survey_wording.deleted", before=before, after={"language": before["language"]})


def _settings(row: SurveyPolicy | SurveyWording, names: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _audit(
    policy: SurveyPolicy,
    by: Agent,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
) -> None:
    team = {"team_id": policy.team_id, "team": policy.team.name if policy.team else "default"}
    record_event(
        Event.Kind.OTHER, actor=by, subject=policy, before=before, after={"action": action, **team, **after}
    )
