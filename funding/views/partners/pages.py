"""Thin web views for a bid's partner councils, over ``funding.services.partners`` and
``funding.selectors.partners``. They reuse the project pages' plumbing (``projects.views``): the
one-time submission key and the error handling of ``perform``.

- The lead's page (``partners``): the bid's partners and their state, and, for verified members
  of the lead council while invitations are open, the consortium builder's suggestions.
- Inviting (``partner_invite``), from a suggestion or by name; removing (``partner_remove``).
- The invited council's side: its invitations (``invitations``) and the page that answers one
  (``partner_decide``): confirm (an approver or admin, with a second factor), decline (any
  verified member), or withdraw a confirmation.

Outsiders get a 404, as for a draft project: a draft bid does not exist for them. People who
know of the bid but may not use the page (the invited council on the lead's page, the lead on the
invited council's) get a 403 that says where to go.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.mfa import user_has_second_factor
from core.forms import form_data
from core.security import limit_shown_in_form
from councils.models import Council, MembershipStatus
from projects.views.writes import form_status, perform

from ...models import Application, ApplicationPartner, PartnerState
from ...selectors import partners as selectors
from ...selectors.partners import PartnerStanding
from ...services import partners as services
from .forms import ConfirmForm, DeclineForm, InviteForm, WithdrawForm


def _application_or_404(pk: int) -> Application:
    application = selectors.application_for_partners(pk=pk)
    if application is None:
        raise Http404
    return application


def _refused(request: HttpRequest, reason: str, *, link: str = "", link_text: str = ""):
    return render(
        request,
        "funding/partners/refused.html",
        {"reason": reason, "link": link, "link_text": link_text},
        status=403,
    )


def _lead_side_or_refusal(
    request: HttpRequest, pk: int
) -> tuple[Application, PartnerStanding] | HttpResponse:
    """The bid and the person's standing, for the lead's pages; or the answer for someone
    else (403 for an invited council's members, who know of the bid; 404 for everyone else)."""
    application = _application_or_404(pk)
    standing = selectors.partner_standing(user=request.user, application=application)
    if standing.party:
        return application, standing
    own = selectors.partner_list(application=application, standing=standing).filter(
        council_id__in=standing.council_ids
    )
    partner = own.first()
    if partner is None:
        raise Http404
    return _refused(
        request,
        _(
            "This page is for %(lead)s, which leads the bid. Your council’s invitation has its "
            "own page."
        )
        % {"lead": application.lead_council.display_name},
        link=reverse("funding:partner_decide", args=[application.pk, partner.council.slug]),
        link_text=_("See your council’s invitation"),
    )


def _context(application: Application, **extra) -> dict:
    return {"application": application, "project": application.project, **extra}


@login_required
@require_safe
def partners(request: HttpRequest, pk: int) -> HttpResponse:
    """The bid's partner councils: their state and what each brings, for the bid's own side;
    the suggestions and the invite buttons for verified members of the lead council."""
    found = _lead_side_or_refusal(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, standing = found
    rows = list(selectors.partner_list(application=application, standing=standing))
    refusal = selectors.invitation_refusal(application)
    can_invite = standing.lead_member and not refusal
    can_remove = standing.lead_member and not selectors.change_refusal(application)
    suggestions = selectors.consortium_suggestions(application) if can_invite else []
    confirmed = sum(1 for row in rows if row.state == PartnerState.CONFIRMED)
    return render(
        request,
        "funding/partners/partners.html",
        _context(
            application,
            rows=rows,
            suggestions=suggestions,
            can_invite=can_invite,
            can_remove=can_remove,
            lead_member=standing.lead_member,
            refusal=refusal,
            confirmed=confirmed,
            required_commitments=list(application.call.required_commitments.all()),
        ),
    )


def _chosen_council(request: HttpRequest, application: Application) -> Council | None:
    slug = (request.POST if request.method == "POST" else request.GET).get("chosen", "")
    if not slug or len(slug) > 140:
        return None
    return (
        Council.objects.current()
        .exclude(pk=application.lead_council_id)
        .filter(slug=slug.strip().lower())
        .first()
    )


@login_required
@limit_shown_in_form
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a council into the bid: one the builder suggested (with why), or one by name."""
    found = _lead_side_or_refusal(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, standing = found
    if not standing.lead_member:
        return _refused(
            request,
            _("Only verified members of %(council)s can invite councils into its bid.")
            % {"council": application.lead_council.display_name},
        )
    refusal = selectors.invitation_refusal(application)
    chosen = _chosen_council(request, application)
    initial = {"suggested": request.GET.get("suggested") == "1"}
    form = InviteForm(form_data(request), chosen=chosen, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        council = form.chosen

        def write() -> str:
            services.partner_invite(
                actor=request.user,
                application=application,
                council=council,
                contribution=data["contribution"],
                message=data["message"],
                from_suggestion=bool(data.get("suggested")),
            )
            return reverse("funding:partners", args=[application.pk])

        done = perform(
            request,
            write,
            form=form,
            done=_(
                "%(council)s is invited. Its approvers and admins have been emailed; you will "
                "hear when it answers."
            )
            % {"council": council.display_name},
        )
        if done:
            return done
    suggestion = (
        selectors.suggestion_for(application, chosen)
        if chosen is not None and not refusal and (form["suggested"].value() in (True, "True"))
        else None
    )
    return render(
        request,
        "funding/partners/invite.html",
        _context(application, form=form, chosen=chosen, suggestion=suggestion, refusal=refusal),
        status=form_status(form),
    )


@login_required
@require_POST
def partner_remove(request: HttpRequest, pk: int, council: str) -> HttpResponse:
    found = _lead_side_or_refusal(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, standing = found
    partner = selectors.partner_for(application=application, council_slug=council)
    if partner is None:
        raise Http404
    if not standing.lead_member:
        return _refused(
            request,
            _("Only verified members of %(council)s can change the councils in its bid.")
            % {"council": application.lead_council.display_name},
        )
    url = reverse("funding:partners", args=[application.pk])

    def write() -> str:
        services.partner_remove(actor=request.user, partner=partner)
        return url

    return perform(
        request,
        write,
        done=_("%(council)s is no longer in this bid. Its approvers and admins have been told.")
        % {"council": partner.council.display_name},
        error_url=url,
    )


DECISIONS = {
    "accept": (ConfirmForm, services.partner_accept),
    "decline": (DeclineForm, services.partner_decline),
    "withdraw": (WithdrawForm, services.partner_withdraw),
}


def _decided_message(partner: ApplicationPartner, action: str) -> str:
    lead = partner.application.lead_council.display_name
    if action == "accept":
        return _("Your council’s part is confirmed. %(lead)s has been told.") % {"lead": lead}
    if action == "withdraw":
        return _("Your council’s confirmation is withdrawn. %(lead)s has been told.") % {
            "lead": lead
        }
    return _("You declined the invitation. %(lead)s has been told.") % {"lead": lead}


@login_required
@limit_shown_in_form
def partner_decide(request: HttpRequest, pk: int, council: str) -> HttpResponse:
    """The invited council's answer: confirm its part, decline, or withdraw a confirmation."""
    application = _application_or_404(pk)
    standing = selectors.partner_standing(user=request.user, application=application)
    partner = selectors.partner_for(application=application, council_slug=council)
    if partner is None:
        raise Http404
    if not standing.member_of(partner.council_id):
        if standing.party:
            return _refused(
                request,
                _("This page is for %(council)s to answer the invitation.")
                % {"council": partner.council.display_name},
                link=reverse("funding:partners", args=[application.pk]),
                link_text=_("See the bid’s partner councils"),
            )
        raise Http404
    authority = standing.has_authority(partner.council_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in DECISIONS:
        return render(request, "400.html", status=400)
    if action in ("accept", "withdraw") and not authority:
        return _refused(
            request,
            _(
                "Only an approver or council admin of %(council)s can confirm or withdraw its "
                "part in a bid."
            )
            % {"council": partner.council.display_name},
        )
    forms = {
        name: form_class(
            form_data(request) if name == action else None,
            initial={"contribution": partner.contribution} if name == "accept" else None,
        )
        for name, (form_class, _service) in DECISIONS.items()
    }
    bound = forms.get(action)
    if bound is not None and bound.is_valid():
        service = DECISIONS[action][1]
        data = dict(bound.cleaned_data)

        def write() -> str:
            service(actor=request.user, partner=partner, **data)
            return reverse("funding:partner_decide", args=[application.pk, partner.council.slug])

        done = perform(request, write, form=bound, done=_decided_message(partner, action))
        if done:
            return done
    refusal = selectors.invitation_refusal(application)
    locked = selectors.change_refusal(application)
    return render(
        request,
        "funding/partners/decide.html",
        _context(
            application,
            partner=partner,
            form=bound,  # the error summary and the page title read the posted form
            confirm_form=forms["accept"],
            decline_form=forms["decline"],
            withdraw_form=forms["withdraw"],
            authority=authority,
            second_factor=authority and user_has_second_factor(user=request.user),
            authorities=list(selectors.council_authorities(council=partner.council)),
            refusal=refusal,
            draft=not locked,
            locked=locked,
            reasons=[line for line in partner.suggested_because.splitlines() if line.strip()],
        ),
        status=form_status(bound),
    )


@login_required
@require_safe
def invitations(request: HttpRequest) -> HttpResponse:
    """Invitations to the person's councils: waiting for an answer, confirmed, and the rest."""
    rows = selectors.invitations_for_user(user=request.user)
    waiting, confirmed, earlier = [], [], []
    for row in rows:
        open_ = not selectors.invitation_refusal(row.application)
        if row.state == PartnerState.INVITED and open_:
            waiting.append(row)
        elif row.state == PartnerState.CONFIRMED:
            confirmed.append(row)
        else:
            earlier.append(row)
    return render(
        request,
        "funding/partners/invitations.html",
        {
            "waiting": waiting,
            "confirmed": confirmed,
            "earlier": earlier,
            "has_councils": bool(rows)
            or request.user.memberships.filter(status=MembershipStatus.VERIFIED).exists(),
        },
    )
