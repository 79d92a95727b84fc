"""Thin web views for similar bids and combining. The services and selectors decide who may;
these turn their refusals into pages (403 with the reason on the call's similar bids; 404 for a
suggestion the person has nothing to do with; a missing second factor sends the person to set
one up, through ``accounts.middleware``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.mfa import SecondFactorRequired, user_has_second_factor
from core.errors import NotAllowed
from core.forms import form_data
from core.security import limit_shown_in_form
from projects.views.writes import form_status, perform

from ...models import Call, CallStatus, CombineSuggestion
from ...selectors import similar as selectors
from ...selectors.assessment import application_url, call_url
from ...services import combining as services
from .forms import AnswerForm, SuggestForm


def _refused(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    if isinstance(exc, SecondFactorRequired):
        raise exc  # to the set-up page, with the reason (accounts.middleware)
    return render(request, "403.html", {"reason": exc.message}, status=403)


def _call_or_404(slug: str) -> Call:
    return get_object_or_404(
        Call.objects.select_related("funder").exclude(status=CallStatus.DRAFT), slug=slug
    )


def _similar_url(call: Call) -> str:
    return reverse("funding:similar", kwargs={"slug": call.slug})


@login_required
def similar(request: HttpRequest, slug: str) -> HttpResponse:
    """The call's submitted bids in clusters of similar ones, per service area."""
    call = _call_or_404(slug)
    try:
        selectors.require_suggester(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    return render(
        request,
        "funding/combining/similar.html",
        {
            "call": call,
            "call_url": call_url(call),
            "result": selectors.similar_bids(call=call),
            "suggestions": selectors.call_suggestions(call=call),
            "decided": call.status == CallStatus.DECIDED,
        },
    )


def _pair_ids(request: HttpRequest) -> tuple[int, int] | None:
    source = request.POST if request.method == "POST" else request.GET
    try:
        return int(source.get("first", "")), int(source.get("second", ""))
    except ValueError:
        return None


@login_required
@limit_shown_in_form
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    """Suggest that two similar bids combine: which continues, and a note."""
    call = _call_or_404(slug)
    try:
        selectors.require_suggester(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    ids = _pair_ids(request)
    pair = selectors.applications_for_pair(call=call, first=ids[0], second=ids[1]) if ids else None
    if pair is None:
        raise Http404(_("Choose two of the call’s submitted bids."))
    form = SuggestForm(form_data(request), pair=pair)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            suggestion = services.combine_suggest(actor=request.user, **form.service_arguments())
            return reverse("funding:combine_suggestion", kwargs={"pk": suggestion.pk})

        done = perform(
            request,
            write,
            form=form,
            done=_("Your suggestion is sent to both lead councils."),
        )
        if done:
            return done
    return render(
        request,
        "funding/combining/suggest.html",
        {
            "call": call,
            "call_url": call_url(call),
            "pair": pair,
            "similar": selectors.pair_similarity(first=pair[0], second=pair[1]),
            "form": form,
        },
        status=form_status(form),
    )


def _suggestion_or_404(request: HttpRequest, pk: int) -> CombineSuggestion:
    suggestion = selectors.suggestion_for_page(pk=pk)
    if suggestion is None or not selectors.user_may_see_suggestion(
        user=request.user, suggestion=suggestion
    ):
        raise Http404
    return suggestion


ANSWERS = {
    "agree": (
        services.combine_agree,
        lambda s: (
            _("The bids are combined.")
            if s.state == "accepted"
            else _("Your council’s agreement is recorded. The other lead council has yet to agree.")
        ),
    ),
    "decline": (services.combine_decline, lambda s: _("You declined the suggestion.")),
    "withdraw": (services.combine_withdraw, lambda s: _("The suggestion is withdrawn.")),
}


@login_required
@limit_shown_in_form
def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """One suggestion: both bids, who has agreed, and the forms to answer or withdraw it."""
    suggestion = _suggestion_or_404(request, pk)
    sides = services.answering_sides(user=request.user, suggestion=suggestion)
    form = AnswerForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        service, message = ANSWERS[action]
        # Those who may read but not do this are refused outright, as on the partner pages.
        if action == "withdraw" and not _may_suggest(request, suggestion):
            return _refused(
                request,
                NotAllowed(_("Only organisers and the funder’s moderators can withdraw it.")),
            )
        if action != "withdraw" and not sides:
            return _refused(
                request,
                NotAllowed(
                    _(
                        "Only an approver or council admin of each lead council can agree or "
                        "decline."
                    )
                ),
            )

        def write() -> str:
            kwargs = {"actor": request.user, "suggestion": suggestion}
            if action != "agree":
                kwargs["reason"] = form.cleaned_data["reason"]
            answered = service(**kwargs)
            # Said once the service has answered: what happened depends on the other council.
            messages.success(request, message(answered))
            return reverse("funding:combine_suggestion", kwargs={"pk": suggestion.pk})

        done = perform(request, write, form=form)
        if done:
            return done
    return render(
        request,
        "funding/combining/suggestion.html",
        {
            "suggestion": suggestion,
            "call": suggestion.call,
            "call_url": call_url(suggestion.call),
            "continuing_url": application_url(suggestion.continuing),
            "absorbed_url": application_url(suggestion.absorbed),
            "similar": selectors.pair_similarity(
                first=suggestion.continuing, second=suggestion.absorbed
            )
            if suggestion.is_live
            else None,
            "sides": sides,
            "may_agree": [
                side for side in sides if getattr(suggestion, f"{side}_agreed_at") is None
            ],
            "second_factor": user_has_second_factor(user=request.user),
            "may_withdraw": suggestion.is_live and _may_suggest(request, suggestion),
            "form": form,
        },
        status=form_status(form),
    )


def _may_suggest(request: HttpRequest, suggestion: CombineSuggestion) -> bool:
    try:
        return selectors.may_suggest(user=request.user, call=suggestion.call)
    except SecondFactorRequired:
        return False
