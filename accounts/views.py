from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import APIToken

from core.errors import ServiceError
from core.forms import add_service_error, form_data
from core.security import limit_shown_in_form, note_refusal, rate_limited_on_form
from councils.selectors import user_memberships

from . import services
from .forms import ApiTokenForm, ProfileForm
from .mfa import user_has_second_factor


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": user_memberships(user=request.user),
            "has_second_factor": user_has_second_factor(user=request.user),
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
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: create (shown once), see last use, revoke."""
    form = ApiTokenForm(form_data(request))
    new_token = None
    limited = request.method == "POST" and rate_limited_on_form(request, form)
    if request.method == "POST" and not limited and form.is_valid():
        try:
            token, new_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="name")
        else:
            request.write_accepted = True  # shown here, not redirected: counts to the limit
            form = ApiTokenForm()
    tokens = APIToken.objects.filter(user=request.user).order_by("revoked_at", "-created")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=429 if limited else 200,
    )


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
    return redirect("accounts:api_tokens")
