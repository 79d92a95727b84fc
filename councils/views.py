from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.mfa import MANAGE_COUNCIL, SecondFactorRequired, require_second_factor
from core import pagecache
from core.errors import NotAllowed, ServiceError
from core.forms import add_service_error
from core.security import limit_shown_in_form, note_refusal, rate_limited_on_form
from projects import scopes
from projects.selectors import council_project_context

from . import selectors, services
from .filters import CouncilFilterSet
from .forms import (
    CouncilCommitmentForm,
    CouncilDomainForm,
    CouncilLimitsForm,
    JoinCouncilForm,
    JoinThisCouncilForm,
    MembershipRoleForm,
    RefuseMembershipForm,
)
from .models import Council, CouncilCommitment, Membership, MembershipRole

DIRECTORY_PAGE_SIZE = 50


def _posted(request: HttpRequest):
    """Form data for a POST, even an empty one (``request.POST or None`` would leave the form
    unbound, so a POST with no fields would silently do nothing)."""
    return request.POST if request.method == "POST" else None


def _forbidden(request: HttpRequest, reason: str | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def council_directory(request: HttpRequest) -> HttpResponse:
    pagecache.depends_on(pagecache.CONTENT_ONLY)  # the register: no pledge or update changes it
    filterset = CouncilFilterSet(request.GET, queryset=selectors.council_list())
    councils = filterset.qs if filterset.is_valid() else Council.objects.none()
    page = Paginator(councils, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/directory.html",
        {"filterset": filterset, "page": page, "councils": page.object_list},
    )


def council_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # What it signed comes with it (the query the page used to spend on its email domains,
    # which it does not show).
    council = get_object_or_404(
        Council.objects.prefetch_related(
            Prefetch("commitments", queryset=selectors.council_commitments_prefetch())
        ),
        slug=slug,
    )
    mark = pagecache.change_mark()  # before its projects are read (their cards are kept)
    user = request.user
    standing = selectors.council_standing(user=user, council=council)
    context = {
        "council": council,
        "is_admin": standing.is_admin,
        "my_membership": standing.membership,
        "join_form": JoinThisCouncilForm(),
        **council_project_context(council=council, user=user, may_act=standing.may_act),
    }
    context["projects_led"] = scopes.with_part_versions(context["projects_led"], since=mark)
    context["parts_versions"] = pagecache.part_versions(
        {
            "pledges": [scopes.council_tag(council.pk)],
            "benefits": [scopes.council_benefits_tag(council.pk)],
        }
    )
    # Its own pledges and the figures of the projects it leads (which projects those are, and
    # their titles, change only with the projects' own rows: every page retires then).
    pagecache.depends_on(
        scopes.council_tag(council.pk),
        *(scopes.project_tag(p.pk) for p in context["projects_led"]),
    )
    return render(request, "councils/detail.html", context)


def _join(request: HttpRequest, form, council: Council | None) -> HttpResponse | None:
    council = council or form.cleaned_data["council"]
    try:
        membership = services.membership_request(
            user=request.user, council=council, message=form.cleaned_data["message"]
        )
    except ServiceError as exc:
        add_service_error(form, exc, default_field="council" if "council" in form.fields else None)
        return None
    if membership.is_verified:
        messages.success(
            request,
            _("You are now a verified member of %(council)s.") % {"council": council},
        )
    else:
        messages.info(
            request,
            _(
                "Your request to join %(council)s has been sent. A council admin or an "
                "organiser will decide it; you will see the answer on your profile."
            )
            % {"council": council},
        )
    return redirect("accounts:profile")


@login_required
@limit_shown_in_form
def council_join(request: HttpRequest) -> HttpResponse:
    matched = selectors.council_at_user_domain(user=request.user)
    form = JoinCouncilForm(_posted(request), initial={"council": matched})
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        response = _join(request, form, None)
        if response:
            return response
    return render(
        request,
        "councils/join.html",
        {"form": form, "matched": matched},
        status=429 if limited else 200,
    )


@login_required
@limit_shown_in_form
def council_join_this(request: HttpRequest, slug: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=slug)
    form = JoinThisCouncilForm(_posted(request))
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        response = _join(request, form, council)
        if response:
            return response
    return render(
        request,
        "councils/join.html",
        {"form": form, "council": council},
        status=429 if limited else 200,
    )


@login_required
def council_members(request: HttpRequest, slug: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=slug)
    if not selectors.user_is_council_admin(user=request.user, council=council):
        return _forbidden(request)
    require_second_factor(user=request.user, power=MANAGE_COUNCIL)  # else: sent to set it up
    domain_form = CouncilDomainForm(_posted(request))
    if request.method == "POST" and domain_form.is_valid():
        try:
            services.council_domain_add(
                actor=request.user, council=council, domain=domain_form.cleaned_data["domain"]
            )
        except ServiceError as exc:
            add_service_error(domain_form, exc, default_field="domain")
        else:
            messages.success(request, _("Domain added."))
            return redirect("councils:members", slug=slug)
    return render(
        request,
        "councils/members.html",
        {
            "council": council,
            "members": selectors.council_members(council=council),
            "domains": council.domains.all(),
            "domain_form": domain_form,
            "role_form": MembershipRoleForm(),
            "roles": MembershipRole.choices,
            "limits_form": CouncilLimitsForm(initial=CouncilLimitsForm.initial_for(council)),
        },
    )


@login_required
def council_limits(request: HttpRequest, slug: str) -> HttpResponse:
    """Council admins set the delegated limits above which pledges need an approver."""
    council = get_object_or_404(Council, slug=slug)
    if not selectors.user_is_council_admin(user=request.user, council=council):
        return _forbidden(request)
    require_second_factor(user=request.user, power=MANAGE_COUNCIL)  # else: sent to set it up
    form = CouncilLimitsForm(_posted(request), initial=CouncilLimitsForm.initial_for(council))
    if request.method == "POST" and form.is_valid():
        try:
            services.council_set_limits(actor=request.user, council=council, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc, default_field="money_limit")
        else:
            messages.success(request, _("Delegated limits saved."))
            return redirect("councils:members", slug=slug)
    return render(request, "councils/limits.html", {"council": council, "form": form})


def _membership_action_done(request: HttpRequest, membership: Membership, text: str):
    messages.success(request, text)
    return redirect("councils:members", slug=membership.council.slug)


@login_required
@require_POST
def membership_approve(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("council", "user"), pk=pk)
    try:
        services.membership_approve(actor=request.user, membership=membership)
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, membership))
    return _membership_action_done(
        request,
        membership,
        _("%(person)s is now a verified member. We have emailed them.")
        % {"person": membership.user.get_full_name()},
    )


@login_required
def membership_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("council", "user"), pk=pk)
    if not selectors.user_is_council_admin(user=request.user, council=membership.council):
        return _forbidden(request)
    require_second_factor(user=request.user, power=MANAGE_COUNCIL)
    form = RefuseMembershipForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_refuse(
                actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="reason")
        else:
            return _membership_action_done(
                request,
                membership,
                _("The request from %(person)s was refused. We have emailed them your reason.")
                % {"person": membership.user.get_full_name()},
            )
    return render(
        request, "councils/membership_refuse.html", {"form": form, "membership": membership}
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("council", "user"), pk=pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect(_back(request, membership))
    try:
        services.membership_set_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, membership))
    return _membership_action_done(request, membership, _("Role changed."))


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("council", "user"), pk=pk)
    try:
        services.membership_leave(actor=request.user, membership=membership)
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, membership))
    if membership.user_id == request.user.pk:
        messages.success(request, _("You have left %(council)s.") % {"council": membership.council})
        return redirect("accounts:profile")
    return _membership_action_done(request, membership, _("The member was removed."))


def _back(request: HttpRequest, membership: Membership) -> str:
    if membership.user_id == request.user.pk:
        return "accounts:profile"
    return membership.council.get_absolute_url() + "members/"


# --- commitments the council signed -----------------------------------------------------------


@login_required
@limit_shown_in_form
def council_commitments(request: HttpRequest, slug: str) -> HttpResponse:
    """Council admins record the commitments the council signed (such as the Local Digital
    Declaration), which funding calls may require, and remove records made in error."""
    council = get_object_or_404(Council, slug=slug)
    if not selectors.user_is_council_admin(user=request.user, council=council):
        return _forbidden(request)
    require_second_factor(user=request.user, power=MANAGE_COUNCIL)  # else: sent to set it up
    available = selectors.commitments_not_recorded(council=council)
    form = CouncilCommitmentForm(_posted(request), commitments=available)
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        try:
            record = services.council_commitment_record(
                actor=request.user, council=council, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="commitment")
        else:
            messages.success(
                request,
                _("Recorded: %(council)s signed “%(commitment)s”.")
                % {"council": council.display_name, "commitment": record.commitment.display_name},
            )
            return redirect("councils:commitments", slug=slug)
    records = list(selectors.council_commitments(council=council))
    return render(
        request,
        "councils/commitments.html",
        {
            "council": council,
            "records": records,
            "form": form,
            "can_record": available.exists() or form.is_bound,
        },
        status=429 if limited else 200,
    )


@login_required
@require_POST
def council_commitment_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    council = get_object_or_404(Council, slug=slug)
    record = get_object_or_404(
        CouncilCommitment.objects.select_related("commitment", "council"), pk=pk, council=council
    )
    try:
        services.council_commitment_remove(actor=request.user, record=record)
    except SecondFactorRequired:
        raise  # to the set-up page, with the reason (accounts.middleware)
    except NotAllowed as exc:
        note_refusal(exc)
        return _forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("councils:commitments", slug=slug)
    messages.success(
        request,
        _("The record of “%(commitment)s” was removed.")
        % {"commitment": record.commitment.display_name},
    )
    return redirect("councils:commitments", slug=slug)
