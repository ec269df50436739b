"""Interview campaigns: the lead's pages (list, campaign, themes) and the customer's answer page."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.voice import interviews as service
from goodwill.voice.models import Answer, Campaign, InterviewTheme
from goodwill.voice.views import _private


def _lead(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    if not service.may_run_interviews(agent):
        raise PermissionDenied("Only team leads and admins run interviews.")
    return agent


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    agent = _lead(request)
    error = ""
    if request.method == "POST":
        try:
            campaign = service.save_campaign(Campaign(created_by=agent), {"name": request.POST.get("name", ""),
                                                                           "language": request.POST.get("language") or "en"})
        except ValidationError as problem:
            error = _problem(problem)
        else:
            return redirect("voice:campaign", pk=campaign.pk)
    campaigns = list(Campaign.objects.all()[:200])
    context = {"campaigns": campaigns, "error": error, "typed": request.POST}
    return render(request, "voice/interview_list.html", context, status=400 if error else 200)


def _campaign_page(request: HttpRequest, campaign: Campaign, *, status: int = 200, **extra: object) -> HttpResponse:
    context = {"campaign": campaign, "progress": service.progress(campaign), "statuses": Campaign.Status,
               "typed": request.POST, "wordings": list(campaign.wordings.all()),
               "languages": ",".join(service.languages(campaign)), **extra}
    return render(request, "voice/interview_campaign.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows progress; POST saves the name, questions, intro and reminder."""
    _lead(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        try:
            service.save_campaign(campaign, {key: str(value) for key, value in request.POST.dict().items()})
        except ValidationError as problem:
            campaign.refresh_from_db()
            return _campaign_page(request, campaign, status=400, error=_problem(problem))
        flash.success(request, "Saved.")
        return redirect("voice:campaign", pk=pk)
    return _campaign_page(request, campaign)


@login_required
@require_POST
def campaign_select(request: HttpRequest, pk: int) -> HttpResponse:
    """action=preview counts; action=invite adds the customers (never one twice)."""
    _lead(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        selection = service.Selection.from_form(request.POST.dict())
        if request.POST.get("action") == "invite":
            added = service.invite(campaign, selection)
            flash.success(request, f"{added} customer{'s' if added != 1 else ''} added.")
            return redirect("voice:campaign", pk=pk)
        total, new, unknown = service.preview(campaign, selection)
    except ValidationError as problem:
        return _campaign_page(request, campaign, status=400, select_error=_problem(problem))
    return _campaign_page(request, campaign, preview={"total": total, "new": new, "unknown": unknown})


@login_required
@require_POST
def campaign_wording(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change the campaign's words in another language; action=delete removes one."""
    _lead(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.POST.get("action") == "delete":
        campaign.wordings.filter(language=request.POST.get("language", "")).delete()
        return redirect(f"{reverse('voice:campaign', args=[pk])}#languages")
    try:
        service.save_wording(campaign, {key: str(value) for key, value in request.POST.dict().items()})
    except ValidationError as problem:
        return _campaign_page(request, campaign, status=400, wording_error=_problem(problem))
    flash.success(request, "Saved.")
    return redirect(f"{reverse('voice:campaign', args=[pk])}#languages")


@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int) -> HttpResponse:
    _lead(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        service.set_status(campaign, request.POST.get("status", ""))
    except ValidationError as problem:
        flash.error(request, _problem(problem) + " Nothing was changed.")
    return redirect("voice:campaign", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_themes(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows every theme with its share and all its answers; POST groups the answers afresh."""
    _lead(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        try:
            count = service.group_campaign(campaign)
        except ValidationError as problem:
            flash.error(request, _problem(problem))
        else:
            flash.success(request, f"Grouped into {count} theme{'s' if count != 1 else ''}.")
        return redirect("voice:campaign_themes", pk=pk)
    themes, unassigned = service.themes_with_answers(campaign)
    context = {"campaign": campaign, "themes": themes, "unassigned": unassigned,
               "all_themes": [view.theme for view in themes]}
    return render(request, "voice/interview_themes.html", context)


@login_required
@require_POST
def theme_action(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    """action = rename | merge | split | tell."""
    _lead(request)
    theme = get_object_or_404(InterviewTheme, pk=theme_pk, campaign_id=pk)
    action = request.POST.get("action", "")
    try:
        if action == "rename":
            service.rename_theme(theme, request.POST.get("name", ""))
        elif action == "merge":
            other = get_object_or_404(InterviewTheme, pk=int(request.POST.get("other") or 0), campaign_id=pk)
            service.merge_themes(theme, other)
        elif action == "split":
            service.split_theme(theme)
        elif action == "tell":
            told = service.tell_respondents(theme, request.POST.get("text", ""))
            flash.success(request, f"{told} respondent{'s' if told != 1 else ''} will be told (mails go out in a moment).")
        else:
            raise ValidationError("Unknown action.")
    except ValidationError as problem:
        flash.error(request, _problem(problem) + " Nothing was changed.")
    return redirect(f"{reverse('voice:campaign_themes', args=[pk])}#theme-{theme.pk}")


@login_required
@require_POST
def move_answer(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    _lead(request)
    answer = get_object_or_404(Answer.objects.select_related("invitation"), pk=answer_pk, invitation__campaign_id=pk)
    chosen = request.POST.get("theme", "")
    theme = get_object_or_404(InterviewTheme, pk=int(chosen), campaign_id=pk) if chosen.isdigit() else None
    service.move_answer(answer, theme)
    return redirect(f"{reverse('voice:campaign_themes', args=[pk])}#answer-{answer.pk}")


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page: the three questions, one form, no login; a replay changes nothing."""
    try:
        invitation = service.invitation_for_token(token)
    except service.InterviewClosed as closed:
        return _private(render(request, "voice/interview_closed.html", {"reason": str(closed)}, status=410))
    campaign = invitation.campaign
    words = service.invitation_words(invitation)
    if invitation.answered_at is not None:
        context = {"campaign": campaign, "words": words, "again": True}
        return _private(render(request, "voice/interview_thanks.html", context))
    error = ""
    texts = ["", "", ""]
    if request.method == "POST":
        texts = [request.POST.get(f"answer_{n}", "") for n in range(3)]
        try:
            service.record_answers(invitation, texts)
        except service.InterviewClosed as closed:
            return _private(render(request, "voice/interview_closed.html", {"reason": str(closed)}, status=410))
        except ValidationError as problem:
            error = _problem(problem)
        else:
            return _private(render(request, "voice/interview_thanks.html", {"campaign": campaign, "words": words}))
    questions = [{"n": n, "text": q, "typed": texts[n]} for n, q in enumerate(words.questions)]
    context = {"campaign": campaign, "words": words, "questions": questions, "token": token, "error": error}
    return _private(render(request, "voice/interview_answer.html", context, status=400 if error else 200))
