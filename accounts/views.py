import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import APIToken

from core.errors import ServiceError
from core.forms import add_service_error, form_data
from core.security import limit_shown_in_form, note_refusal, rate_limited_on_form, security_event
from councils.selectors import user_memberships

from . import selectors, services
from .forms import AccountDeleteForm, ApiTokenForm, ProfileForm
from .mfa import user_has_second_factor


def privacy_url() -> str:
    """The privacy notice (a CMS page) in the reader's language."""
    return ("/cy" if (get_language() or "").startswith("cy") else "") + "/privacy/"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": user_memberships(user=request.user),
            "has_second_factor": user_has_second_factor(user=request.user),
            "privacy_url": privacy_url(),
        },
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(form_data(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been updated."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@limit_shown_in_form
def security(request: HttpRequest) -> HttpResponse:
    """Sessions and tokens: the browsers signed in as the person (sign one or all others out)
    and their personal API tokens (create, shown once; see access, expiry and last use;
    revoke)."""
    form = ApiTokenForm(form_data(request))
    new_token = None
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        try:
            token, new_token = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                expires_in_days=form.expires_in_days(),
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="name")
        else:
            request.write_accepted = True  # shown here, not redirected: counts to the limit
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "tokens": selectors.user_api_tokens_list(user=request.user),
            "new_token": new_token,
            "sessions": selectors.user_sessions_list(user=request.user, request=request),
            "now": timezone.now(),
        },
        status=429 if limited else 200,
    )
    add_never_cache_headers(response)  # it may show a new token
    return response


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The former API tokens page, now part of Sessions and tokens. Its form still works."""
    if request.method == "POST":
        return security(request)
    return redirect(reverse("accounts:security") + "#tokens", permanent=True)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    try:
        services.api_token_revoke(user=request.user, token=token)
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect(reverse("accounts:security") + "#tokens")


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.user_session_end(user=request.user, request=request, pk=pk)
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("That browser has been signed out."))
    return redirect(reverse("accounts:security") + "#sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.user_sessions_end_others(user=request.user, request=request)
    if ended:
        messages.success(
            request,
            ngettext(
                "%(count)s other browser has been signed out.",
                "%(count)s other browsers have been signed out.",
                ended,
            )
            % {"count": ended},
        )
    else:
        messages.info(request, _("You were not signed in anywhere else."))
    return redirect(reverse("accounts:security") + "#sessions")


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Download my data: everything Pipeline holds about the person, as a JSON file."""
    data = selectors.user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    filename = f"pipeline-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    security_event("personal_data_downloaded", owner_id=request.user.pk)
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete my account: says what goes and what stays, then asks for the password and the
    email address typed out. Signs the browser out when done."""
    refusals = services.account_deletion_refusals(user=request.user)
    form = AccountDeleteForm(form_data(request), email=request.user.email)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            services.account_delete(
                user=request.user,
                password=form.cleaned_data["password"],
                confirmation=form.cleaned_data["confirmation"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("/")
    response = render(
        request,
        "accounts/account_delete.html",
        {
            "form": form,
            "refusals": refusals,
            # Someone who only ever signed in through their council has no password to give.
            "has_password": request.user.has_usable_password(),
            "data_url": reverse("accounts:my_data"),
            "privacy_url": privacy_url(),
        },
    )
    add_never_cache_headers(response)
    return response
