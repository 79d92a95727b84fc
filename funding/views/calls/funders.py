"""Thin views for funders: the public list and a funder's page, joining a funder, and its
admins' members page (approve or refuse requests, change roles, remove people)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.mfa import SecondFactorRequired
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error, form_data
from core.security import limit_shown_in_form, note_refusal, rate_limited_on_form

from ...models import Funder, FunderMembership, FunderRole
from ...selectors import calls as call_selectors
from ...selectors import funders as selectors
from ...services import funders as services
from .forms import FunderRefuseForm, FunderRoleForm
from .pages import _admin_or_403, _dress, _forbidden


def funder_list(request: HttpRequest) -> HttpResponse:
    return render(request, "funding/funders/list.html", {"funders": selectors.funder_list()})


def funder_detail(request: HttpRequest, slug: str) -> HttpResponse:
    funder = get_object_or_404(Funder, slug=slug)
    standing = selectors.funder_standing(user=request.user, funder=funder)
    calls = _dress(
        call_selectors.funder_calls(funder=funder, with_drafts=standing.sees_drafts),
        timezone.now(),
    )
    return render(
        request,
        "funding/funders/detail.html",
        {
            "funder": funder,
            "calls": calls,
            "standing": standing,
            "membership": standing.membership,
        },
    )


@login_required
@limit_shown_in_form
def funder_join(request: HttpRequest, slug: str) -> HttpResponse:
    """Joining: a confirmation page, then one button. Verified at once at the funder's email
    domains; otherwise a funder admin or an organiser decides."""
    funder = get_object_or_404(Funder.objects.prefetch_related("domains"), slug=slug)
    standing = selectors.funder_standing(user=request.user, funder=funder)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        limited = getattr(request, "rate_limited", "")
        if limited:
            errors.append(limited)
            status = 429
        else:
            try:
                membership = services.funder_join(user=request.user, funder=funder)
            except ServiceError as exc:
                note_refusal(exc)
                errors.append(exc.message)
            else:
                if membership.status == "verified":
                    messages.success(
                        request,
                        _("You are now a verified member of %(funder)s.")
                        % {"funder": funder.display_name},
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "Your request to join %(funder)s has been sent. An admin of "
                            "%(funder)s or an organiser will decide it, and we will email you."
                        )
                        % {"funder": funder.display_name},
                    )
                return redirect("funding:funder", slug=funder.slug)
    return render(
        request,
        "funding/funders/join.html",
        {
            "funder": funder,
            "membership": standing.membership,
            "matches": selectors.funder_domain_matches(user=request.user, funder=funder),
            "errors": errors,
        },
        status=status,
    )


@login_required
def funder_members(request: HttpRequest, slug: str) -> HttpResponse:
    funder = get_object_or_404(Funder.objects.prefetch_related("domains"), slug=slug)
    refused = _admin_or_403(request, funder)
    if refused:
        return refused
    return render(
        request,
        "funding/funders/members.html",
        {
            "funder": funder,
            "members": list(selectors.funder_members(funder=funder)),
            "roles": FunderRole.choices,
            "admins": selectors.funder_admin_count(funder=funder),
        },
    )


def _membership(slug: str, pk: int) -> FunderMembership:
    return get_object_or_404(
        FunderMembership.objects.select_related("funder", "user"), pk=pk, funder__slug=slug
    )


def _members_url(membership: FunderMembership) -> str:
    return reverse("funding:funder_members", kwargs={"slug": membership.funder.slug})


def _act(
    request: HttpRequest, membership: FunderMembership, action, done: str, back: str = ""
) -> HttpResponse:
    """Run a decision; a refusal is a 403 page (not theirs to make) or a message (the state
    does not allow it). Then back to the members page (or ``back``)."""
    back = back or _members_url(membership)
    try:
        action()
    except SecondFactorRequired:
        raise  # to the set-up page, with the reason (accounts.middleware)
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def funder_membership_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(slug, pk)
    return _act(
        request,
        membership,
        lambda: services.funder_membership_approve(actor=request.user, membership=membership),
        _("%(person)s is now a verified member. We have emailed them.")
        % {"person": membership.user.get_full_name()},
    )


@login_required
@limit_shown_in_form
def funder_membership_refuse(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(slug, pk)
    refused = _admin_or_403(request, membership.funder)
    if refused:
        return refused
    form = FunderRefuseForm(form_data(request))
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        try:
            services.funder_membership_refuse(
                actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="reason")
        else:
            messages.success(
                request,
                _("The request from %(person)s was refused. We have emailed them your reason.")
                % {"person": membership.user.get_full_name()},
            )
            return redirect(_members_url(membership))
    return render(
        request,
        "funding/funders/membership_refuse.html",
        {"form": form, "membership": membership, "funder": membership.funder},
        status=429 if limited else 200,
    )


@login_required
@require_POST
def funder_membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(slug, pk)
    form = FunderRoleForm(request.POST)
    if not form.is_valid():
        if not selectors.user_is_funder_admin(user=request.user, funder=membership.funder):
            return _forbidden(request)
        messages.error(request, _("Choose a role."))
        return redirect(_members_url(membership))
    role = form.cleaned_data["role"]
    return _act(
        request,
        membership,
        lambda: services.funder_membership_set_role(
            actor=request.user, membership=membership, role=role
        ),
        _("%(person)s’s role is now: %(role)s.")
        % {"person": membership.user.get_full_name(), "role": FunderRole(role).label},
    )


@login_required
@require_POST
def funder_membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(slug, pk)
    if membership.user_id == request.user.pk:  # leaving
        return _act(
            request,
            membership,
            lambda: services.funder_membership_remove(actor=request.user, membership=membership),
            _("You have left %(funder)s.") % {"funder": membership.funder.display_name},
            back=reverse("funding:funder", kwargs={"slug": membership.funder.slug}),
        )
    return _act(
        request,
        membership,
        lambda: services.funder_membership_remove(actor=request.user, membership=membership),
        _("%(person)s was removed.") % {"person": membership.user.get_full_name()},
    )
