"""What stands between an application and its submission, in words an applicant can act on.

``application_shortfalls`` checks a bid against its call's rules: the lead council (nation,
type, the commitments the call requires), the partner councils that have CONFIRMED their part
(only those that signed the required commitments count toward the minimum), the project
(published, in one of the call's service areas), the bid itself (phase, amount, summary, the
answers and their word limits) and the call's clock. Each shortfall says exactly what is missing
("1 more partner council that has signed the Local Digital Declaration") and, where the
applicant can fix it, where.

The same function runs live on the application page after every save, in the API, and inside
submission (under the call's lock), so what a person is told is what submission decides. It
reads everything it needs in a constant number of queries, however many partners, questions and
answers a bid has (``prefetch_for_eligibility``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formatting import format_pence
from councils.models import CouncilCommitment, Nation
from projects.models import PUBLIC_STATES as PROJECT_PUBLIC_STATES
from projects.models import Phase

from .models import Application, ApplicationPartner, CallStatus, PartnerState
from .selectors.calls import council_type_display, council_type_names


@dataclass(frozen=True)
class Shortfall:
    """One thing missing. ``code`` is stable (the API's clients read it); ``message`` is in the
    reader's language; ``field`` names the input it is about, where there is one; ``fix_url``
    and ``fix_label`` lead to where it can be put right."""

    code: str
    message: str
    field: str = ""
    fix_url: str = ""
    fix_label: str = ""


def word_count(text: str) -> int:
    """Words as a person counts them: runs of characters between spaces and line breaks."""
    return len((text or "").split())


def local_moment(moment: datetime.datetime) -> tuple[str, str]:
    """(time, date) as people in the UK read them: ("12:00", "4 March 2026"), London time."""
    local = timezone.localtime(moment)
    return date_format(local, "H:i"), date_format(local, "j F Y")


def closed_message(call) -> str:
    time, date = local_moment(call.closes_at)
    return _("This call closed at %(time)s on %(date)s.") % {"time": time, "date": date}


def not_submitted_message(call) -> str:
    """Submission's refusal when the server's clock reached the closing time first."""
    time, date = local_moment(call.closes_at)
    return _("This call closed at %(time)s on %(date)s; your application was not submitted.") % {
        "time": time,
        "date": date,
    }


def _joined(items: list[str], conjunction: str) -> str:
    """ "A, B and C" (or "A, B or C")."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def joined_and(items: list[str]) -> str:
    return _joined(items, _("and"))


def joined_or(items: list[str]) -> str:
    return _joined(items, _("or"))


def _commitment_names(commitments) -> str:
    return joined_and([_("the %(name)s") % {"name": c.display_name} for c in commitments])


# --- reading everything at once ----------------------------------------------------------------


def prefetch_for_eligibility(applications: list[Application]) -> None:
    """Everything ``application_shortfalls`` reads, for these applications, in a fixed number of
    queries (it skips what is already there)."""
    commitments = CouncilCommitment.objects.only("council_id", "commitment_id")
    prefetch_related_objects(
        applications,
        "call__service_areas",
        "call__required_commitments",
        "call__questions",
        "project__service_areas",
        Prefetch("lead_council__commitments", queryset=commitments),
        Prefetch(
            "partners",
            queryset=ApplicationPartner.objects.select_related("council")
            .prefetch_related(Prefetch("council__commitments", queryset=commitments))
            .order_by("invited_at", "pk"),
        ),
        "answers",
    )


def _signed(council) -> set[int]:
    return {c.commitment_id for c in council.commitments.all()}


# --- the rules ---------------------------------------------------------------------------------


def _clock_shortfalls(call, now: datetime.datetime) -> list[Shortfall]:
    if call.status == CallStatus.DRAFT:
        return [Shortfall("call_not_published", _("This call is not open for applications."))]
    if now >= call.closes_at or call.status == CallStatus.DECIDED:
        return [Shortfall("call_closed", closed_message(call))]
    if now < call.opens_at:
        time, date = local_moment(call.opens_at)
        return [
            Shortfall(
                "call_not_open",
                _("This call opens for applications at %(time)s on %(date)s.")
                % {"time": time, "date": date},
            )
        ]
    return []


def _lead_shortfalls(application: Application, required) -> list[Shortfall]:
    call, lead = application.call, application.lead_council
    found = []
    if call.nations and lead.nation not in call.nations:
        found.append(
            Shortfall(
                "lead_nation",
                _("This call is for councils in %(nations)s; %(council)s is in %(nation)s.")
                % {
                    "nations": joined_or([Nation(n).label for n in call.nations]),
                    "council": lead.display_name,
                    "nation": lead.get_nation_display(),
                },
            )
        )
    if call.council_types and lead.authority_type not in call.council_types:
        names = council_type_names([*call.council_types, lead.authority_type])

        def type_name(code: str) -> str:
            return str(council_type_display(code, names))

        found.append(
            Shortfall(
                "lead_council_type",
                _("This call is for these council types: %(types)s; %(council)s is a %(type)s.")
                % {
                    "types": joined_or([type_name(code) for code in call.council_types]),
                    "council": lead.display_name,
                    "type": lead.type_display
                    if lead.authority_type_name
                    else type_name(lead.authority_type),
                },
            )
        )
    signed = _signed(lead)
    for commitment in required:
        if commitment.pk not in signed:
            found.append(
                Shortfall(
                    "lead_commitment",
                    _("Your council (%(council)s) has not recorded signing the %(commitment)s.")
                    % {"council": lead.display_name, "commitment": commitment.display_name},
                    fix_url=lead.get_absolute_url(),
                    fix_label=_("Go to %(council)s’s page") % {"council": lead.display_name},
                )
            )
    return found


def _fits(call, council) -> bool:
    """The call's nations and council types bind partners counted toward the minimum too."""
    return (not call.nations or council.nation in call.nations) and (
        not call.council_types or council.authority_type in call.council_types
    )


def _partner_misfit(call, council) -> Shortfall:
    if call.nations and council.nation not in call.nations:
        text = _(
            "%(council)s is in %(nation)s and this call is for councils in %(nations)s, so it "
            "does not count as a partner."
        ) % {
            "council": council.display_name,
            "nation": council.get_nation_display(),
            "nations": joined_or([Nation(n).label for n in call.nations]),
        }
    else:
        names = council_type_names([*call.council_types, council.authority_type])
        text = _(
            "%(council)s is a %(type)s and this call is for these council types: %(types)s, so it "
            "does not count as a partner."
        ) % {
            "council": council.display_name,
            "type": names.get(council.authority_type, council.authority_type),
            "types": joined_or([names[code] for code in call.council_types]),
        }
    return Shortfall("partner_not_eligible", text, field="partners")


def _partner_shortfalls(application: Application, required) -> list[Shortfall]:
    """Confirmed partners count if they meet the call's nations and council types and signed
    every required commitment."""
    call = application.call
    if not call.min_partners:
        return []
    required_ids = {c.pk for c in required}
    confirmed = [
        p
        for p in application.partners.all()
        if p.state == PartnerState.CONFIRMED and p.council_id != application.lead_council_id
    ]
    counted = [
        p for p in confirmed if required_ids <= _signed(p.council) and _fits(call, p.council)
    ]
    needed = call.min_partners - len(counted)
    if needed <= 0:
        return []
    partners_url = reverse("funding:partners", args=[application.pk])
    if required:
        phrase = ngettext(
            "%(count)s more partner council that has signed %(commitments)s",
            "%(count)s more partner councils that have signed %(commitments)s",
            needed,
        ) % {"count": needed, "commitments": _commitment_names(required)}
    else:
        phrase = ngettext(
            "%(count)s more partner council", "%(count)s more partner councils", needed
        ) % {"count": needed}
    found = [
        Shortfall(
            "partners",
            _(
                "%(needed)s (this call asks for at least %(min)s; confirmed and counted so far: "
                "%(have)s)."
            )  # fmt: skip
            % {"needed": phrase, "min": call.min_partners, "have": len(counted)},
            field="partners",
            fix_url=partners_url,
            fix_label=_("Invite partner councils") if partners_url else "",
        )
    ]
    for partner in confirmed:
        if not _fits(call, partner.council):
            found.append(_partner_misfit(call, partner.council))
            continue
        missing = [c for c in required if c.pk not in _signed(partner.council)]
        if missing:
            found.append(
                Shortfall(
                    "partner_commitment",
                    _(
                        "%(council)s has confirmed its part but has not recorded signing "
                        "%(commitments)s, so it does not count yet."
                    )
                    % {
                        "council": partner.council.display_name,
                        "commitments": _commitment_names(missing),
                    },
                    field="partners",
                    fix_url=partner.council.get_absolute_url(),
                    fix_label=_("Go to %(council)s’s page")
                    % {"council": partner.council.display_name},
                )
            )
    return found


def _project_shortfalls(application: Application) -> list[Shortfall]:
    call, project = application.call, application.project
    found = []
    if project.state not in PROJECT_PUBLIC_STATES or project.is_hidden:
        found.append(
            Shortfall(
                "project_not_published",
                _("The project is not published: its page must be public before it can apply."),
                fix_url=project.get_absolute_url(),
                fix_label=_("Go to the project’s page"),
            )
        )
    areas = list(call.service_areas.all())
    if areas:
        project_areas = {a.pk for a in project.service_areas.all()}
        if not project_areas & {a.pk for a in areas}:
            found.append(
                Shortfall(
                    "service_area",
                    _(
                        "This call funds projects in these service areas: %(areas)s. Your "
                        "project is in none of them."
                    )
                    % {"areas": joined_or([a.display_name for a in areas])},
                    fix_url=reverse(
                        "projects:edit", kwargs={"slug": project.slug, "section": "about"}
                    ),
                    fix_label=_("Change the project’s service areas"),
                )
            )
    return found


def _bid_shortfalls(application: Application) -> list[Shortfall]:
    call = application.call
    edit_url = reverse("funding:application_edit", args=[application.pk])
    change = _("Change the application")
    found = []
    if call.phases and application.phase not in call.phases:
        found.append(
            Shortfall(
                "phase",
                _("This call funds these phases: %(phases)s; your application is for %(phase)s.")
                % {
                    "phases": joined_or([str(Phase(p).label).lower() for p in call.phases]),
                    "phase": str(application.get_phase_display()).lower(),
                },
                field="phase",
                fix_url=f"{edit_url}#id_phase",
                fix_label=change,
            )
        )
    if not application.summary.strip():
        found.append(
            Shortfall(
                "summary_missing",
                _("Write a summary of the bid: it is published when the bid is submitted."),
                field="summary",
                fix_url=f"{edit_url}#id_summary",
                fix_label=change,
            )
        )
    if application.amount_requested is None:
        found.append(
            Shortfall(
                "amount_missing",
                _("Enter the amount of money you are asking for."),
                field="amount_requested",
                fix_url=f"{edit_url}#id_amount",
                fix_label=change,
            )
        )
    elif application.amount_requested > call.max_award:
        found.append(
            Shortfall(
                "amount_over_maximum",
                _("The amount requested is more than the maximum award of %(max)s.")
                % {"max": format_pence(call.max_award)},
                field="amount_requested",
                fix_url=f"{edit_url}#id_amount",
                fix_label=change,
            )
        )
    answers = {a.question_id: a.text for a in application.answers.all()}
    for question in call.questions.all():
        text = answers.get(question.pk, "")
        words = word_count(text)
        anchor = f"{edit_url}#id_answer_{question.pk}"
        if question.required and not words:
            found.append(
                Shortfall(
                    "answer_missing",
                    _("Answer the question ‘%(question)s’.") % {"question": question.text},
                    field=f"answer_{question.pk}",
                    fix_url=anchor,
                    fix_label=change,
                )
            )
        elif words > question.word_limit:
            found.append(
                Shortfall(
                    "answer_too_long",
                    ngettext(
                        "Your answer to ‘%(question)s’ is %(words)s word; the limit is %(limit)s.",
                        "Your answer to ‘%(question)s’ is %(words)s words; the limit is %(limit)s.",
                        words,
                    )
                    % {"question": question.text, "words": words, "limit": question.word_limit},
                    field=f"answer_{question.pk}",
                    fix_url=anchor,
                    fix_label=change,
                )
            )
    return found


def application_shortfalls(
    application: Application, *, now: datetime.datetime | None = None, clock: bool = True
) -> list[Shortfall]:
    """Everything that stops ``application`` being submitted now, in the order an applicant
    would work through it; empty when it may be submitted.

    ``clock=False`` leaves out the call's opening and closing times, for submission, which
    checks the server's clock last of all, just before it commits.
    """
    prefetch_for_eligibility([application])
    required = list(application.call.required_commitments.all())
    found = []
    if clock:
        found += _clock_shortfalls(application.call, now or timezone.now())
    found += _lead_shortfalls(application, required)
    found += _partner_shortfalls(application, required)
    found += _project_shortfalls(application)
    found += _bid_shortfalls(application)
    return found
