"""Thin views for funding calls: the public listing and a call's page, and the funder admins'
forms to draft, change and publish a call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.mfa import MANAGE_FUNDER, ORGANISE, SecondFactorRequired, require_second_factor
from core.api.pagination import cursor_page
from core.errors import NotAllowed, ServiceError
from core.forms import form_data
from core.security import limit_shown_in_form, note_refusal
from projects.views.writes import form_status, perform

from ...filters.calls import CallFilterSet
from ...models import Call, CallStatus, Funder
from ...selectors import calls as selectors
from ...selectors.funders import funder_standing, user_is_funder_admin
from ...services import calls as services
from .forms import (
    SERVICE_FIELDS,
    CallForm,
    LateCallForm,
    criterion_formset,
    criterion_initial,
    question_formset,
    question_initial,
)
from .wording import criteria_with_shares, rule_lines, stage_tag, when_text

# Calls shown in each section of /funding/ (a status filter pages through one section).
SECTION_SIZE = 20
PAGE_SIZE = 50
SECTION_TITLES = {
    selectors.OPEN: gettext_lazy("Open now"),
    selectors.UPCOMING: gettext_lazy("Opening soon"),
    selectors.CLOSED: gettext_lazy("Closed, awaiting decisions"),
    selectors.DECIDED: gettext_lazy("Decided"),
}


def _forbidden(request: HttpRequest, reason: str | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _dress(calls, now) -> list:
    """What a card shows besides the call's own fields: its stage and when, in words."""
    for call in calls:
        call.when_text = when_text(call, now)
        call.stage_label, call.stage_class = stage_tag(call, now)
    return calls


def call_list(request: HttpRequest) -> HttpResponse:
    """/funding/: open calls first, then those opening soon, closed and decided."""
    now = timezone.now()
    filterset = CallFilterSet(request.GET, queryset=selectors.public_calls())
    valid = filterset.is_valid()
    calls = filterset.qs if valid else Call.objects.none()
    status = filterset.form.cleaned_data.get("status") if valid else None
    sections, page = [], None
    if status:
        # One section, paged: its own order, cursor pages (no count).
        page = cursor_page(
            request,
            calls.prefetch_related(None),  # the cards show no rules
            ordering=selectors.STAGE_ORDERING[status],
            page_size=PAGE_SIZE,
        )
        sections.append((status, SECTION_TITLES[status], _dress(list(page), now), False))
    elif valid:
        for stage, (rows, more) in selectors.call_sections(
            calls, size=SECTION_SIZE, now=now
        ).items():
            sections.append((stage, SECTION_TITLES[stage], _dress(rows, now), more))
    filters = {k: v for k, v in request.GET.items() if k in filterset.filters and v}
    return render(
        request,
        "funding/calls/list.html",
        {
            "filterset": filterset,
            "form": filterset.form,  # the page's title starts "Error:" when a filter is wrong
            "sections": sections,
            "page": page,
            "status": status,
            "active_filters": len(filters),
            "query": request.GET.urlencode(),
        },
    )


def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = selectors.call_for_page(slug=slug, user=request.user)
    if call is None:
        raise Http404
    now = timezone.now()
    standing = funder_standing(user=request.user, funder=call.funder)
    return render(
        request,
        "funding/calls/detail.html",
        {
            "call": call,
            "funder": call.funder,
            "when": when_text(call, now),
            "stage": selectors.call_stage(call, now),
            "stage_tag": stage_tag(call, now),
            "rules": rule_lines(call, selectors.council_type_names()),
            "questions": list(call.questions.all()),
            "criteria": criteria_with_shares(call),
            "is_admin": standing.is_admin,
            "role": standing.membership.role if standing.is_member else None,
            "is_organiser": request.user.is_authenticated and request.user.is_organiser,
            "locked": selectors.call_is_locked(call, now),
        },
    )


def _admin_or_403(request: HttpRequest, funder: Funder) -> HttpResponse | None:
    """None for a funder admin or organiser with a second factor; a 403 for anyone else.
    Without a second factor they are sent to set one up (accounts.middleware)."""
    if not user_is_funder_admin(user=request.user, funder=funder):
        return _forbidden(
            request,
            _("Only an admin of %(funder)s or an organiser may do this.")
            % {"funder": funder.display_name},
        )
    power = ORGANISE if request.user.is_organiser else MANAGE_FUNDER
    require_second_factor(user=request.user, power=power)
    return None


def call_url(call: Call) -> str:
    return reverse("funding:call", kwargs={"slug": call.slug})


def _write(request, form, write, done: str) -> HttpResponse | None:
    """``perform`` the write once; a service's refusal about a value lands beside its field
    (a time's refusal beside its date)."""

    def mapped() -> str:
        try:
            return write()
        except ServiceError as exc:
            exc.field = SERVICE_FIELDS.get(exc.field, exc.field)
            raise

    return perform(request, mapped, form=form, done=done)


def _render_form(request, template: str, context: dict, form) -> HttpResponse:
    formsets = [context[name] for name in ("questions", "criteria") if context.get(name)]
    context["formsets"] = formsets
    context["any_errors"] = bool(form.errors) or any(
        formset.is_bound and not formset.is_valid() for formset in formsets
    )
    return render(request, template, context, status=form_status(form))


@login_required
@limit_shown_in_form
def call_new(request: HttpRequest, slug: str) -> HttpResponse:
    funder = get_object_or_404(Funder, slug=slug)
    refused = _admin_or_403(request, funder)
    if refused:
        return refused
    data = form_data(request)
    form = CallForm(data)
    questions = question_formset(data, extra=3)
    criteria = criterion_formset(data, extra=2)
    if request.method == "POST" and all(
        [form.is_valid(), questions.is_valid(), criteria.is_valid()]
    ):

        def write() -> str:
            call = services.call_create(
                actor=request.user,
                funder=funder,
                fields=form.service_fields(),
                questions=questions.rows(),
                criteria=criteria.rows(),
            )
            return call_url(call)

        done = _write(
            request,
            form,
            write,
            _(
                "The call is saved as a draft. Only members of %(funder)s and organisers can "
                "see it until you publish it."
            )
            % {"funder": funder.display_name},
        )
        if done:
            return done
    return _render_form(
        request,
        "funding/calls/form.html",
        {"funder": funder, "form": form, "questions": questions, "criteria": criteria},
        form,
    )


@login_required
@limit_shown_in_form
def call_edit(request: HttpRequest, slug: str) -> HttpResponse:
    call = selectors.call_for_page(slug=slug, user=request.user)
    if call is None:
        raise Http404
    funder = call.funder
    refused = _admin_or_403(request, funder)
    if refused:
        return refused
    if call.status == CallStatus.DECIDED:
        return _forbidden(request, _("This call has been decided; it can no longer change."))
    data = form_data(request)
    now = timezone.now()
    context = {"funder": funder, "call": call, "stage": selectors.call_stage(call, now)}
    if selectors.call_is_locked(call, now):
        # Opened: the rest is shown as it stands, and only these two may change.
        form = LateCallForm(
            data,
            initial={
                "description": call.description,
                "decision_expected_on": call.decision_expected_on,
            },
            closes_on=timezone.localtime(call.closes_at).date(),
        )
        if request.method == "POST" and form.is_valid():

            def write() -> str:
                services.call_update(actor=request.user, call=call, fields=form.cleaned_data)
                return call_url(call)

            done = _write(request, form, write, _("The call is saved."))
            if done:
                return done
        context.update(
            {
                "form": form,
                "locked": True,
                "when": when_text(call, now),
                "rules": rule_lines(call, selectors.council_type_names()),
                "criteria_shares": criteria_with_shares(call),
            }
        )
        return _render_form(request, "funding/calls/form.html", context, form)

    form = CallForm(data, initial=CallForm.initial_for(call))
    questions = question_formset(data, initial=question_initial(call), extra=1)
    criteria = criterion_formset(data, initial=criterion_initial(call), extra=1)
    if request.method == "POST" and all(
        [form.is_valid(), questions.is_valid(), criteria.is_valid()]
    ):

        def write() -> str:
            services.call_update(
                actor=request.user,
                call=call,
                fields=form.service_fields(),
                questions=questions.rows(),
                criteria=criteria.rows(),
            )
            return call_url(call)

        done = _write(request, form, write, _("The call is saved."))
        if done:
            return done
    context.update({"form": form, "questions": questions, "criteria": criteria})
    return _render_form(request, "funding/calls/form.html", context, form)


@login_required
@require_POST
def call_publish(request: HttpRequest, slug: str) -> HttpResponse:
    call = selectors.call_for_page(slug=slug, user=request.user)
    if call is None:
        raise Http404
    try:
        services.call_publish(actor=request.user, call=call)
    except SecondFactorRequired:
        raise  # to the set-up page, with the reason (accounts.middleware)
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(call_url(call))
    messages.success(request, _published_words(call))
    return redirect(call_url(call))


def _published_words(call: Call) -> str:
    if call.opens_at <= timezone.now():
        return _("The call is published and open to bids.")
    opens = timezone.localtime(call.opens_at)
    return _("The call is published. It opens to bids on %(date)s at %(time)s.") % {
        "date": date_format(opens, "j F Y"),
        "time": opens.strftime("%H:%M"),
    }
