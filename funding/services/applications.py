"""Writes for applications: start a draft, edit it, submit it, withdraw it.

Who may: a verified member of the project's lead council on the project's team (or its owner)
starts and edits the draft; only an officer with authority for the lead council (a verified
approver or council admin, with a second factor, as pledges over a council's limits are signed
off) commits it, by submitting or withdrawing it.

Submission is refused after the call's closing time even to a request that started before it:
it locks the call's row and the bid's, runs every check, writes the submission and its emails,
and compares the server's clock with the closing time as the last thing before it commits. A
request that reaches that point at or after the closing time rolls everything back.
"""

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import SecondFactorRequired, user_has_second_factor
from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from projects.models import Kind, Phase
from projects.services.projects import validate_amount

from ..eligibility import (
    Shortfall,
    application_shortfalls,
    closed_message,
    local_moment,
    not_submitted_message,
    word_count,
)
from ..models import DECIDED_STATES, Answer, Application, ApplicationState, Call, CallStatus
from ..notifications.applications import application_changed
from ..selectors.applications import (
    APPLYING_PROJECT_STATES,
    user_can_edit_application,
    user_has_authority,
)

User = get_user_model()

# The phases a bid's money can be for (an idea is not yet a phase of work; nor is retiring).
BID_PHASES = (Phase.DISCOVERY, Phase.ALPHA, Phase.BETA, Phase.LIVE)
SUMMARY_MAX = 2000
ANSWER_MAX = 20_000
REASON_MAX = 2000


class NotEligible(Conflict):
    """Submission refused because the bid does not meet the call's rules (409); each shortfall
    is in ``shortfalls``, so a page can list them and the API name them."""

    default_code = "not_eligible"

    def __init__(self, shortfalls: list[Shortfall]):
        super().__init__(
            _("This application cannot be submitted yet: %(missing)s")
            % {"missing": " ".join(s.message for s in shortfalls)}
        )
        self.shortfalls = shortfalls


def require_authority_second_factor(actor) -> None:
    """Committing a council to a bid is a privileged power: it needs a second factor."""
    if not user_has_second_factor(user=actor):
        raise SecondFactorRequired(
            _(
                "You need to set up two-factor authentication before you can submit or "
                "withdraw your council’s funding applications."
            )
        )


def _editor_check(actor, application: Application) -> None:
    if not user_can_edit_application(actor, application):
        raise NotAllowed(
            _(
                "Only verified members of %(council)s on the project’s team can work on this "
                "application."
            )
            % {"council": application.lead_council.display_name}
        )


def _authority_check(actor, application: Application, refusal: str) -> None:
    if not user_has_authority(actor, application):
        raise NotAllowed(refusal % {"council": application.lead_council.display_name})
    require_authority_second_factor(actor)


def _lock(application: Application) -> Application:
    """The bid's row, locked for the rest of the transaction, with what the checks read."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "project", "lead_council")
        .get(pk=application.pk)
    )


# --- starting and editing a draft ---------------------------------------------------------------


def _validate_amount(amount) -> None:
    """The limits the forms check first (``projects.services.projects.validate_amount``)."""
    if amount is not None:
        validate_amount(Kind.MONEY, amount, field="amount_requested")


def _validate_phase(phase: str) -> None:
    if phase not in BID_PHASES:
        raise InvalidInput(
            _("Choose the phase the money is for: discovery, alpha, beta or live."), field="phase"
        )


def _clean_text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(
            _("This must be %(limit)s characters or fewer.") % {"limit": f"{limit:,}"},
            field=field,
        )
    return value


def default_phase(project) -> str:
    """The phase a new bid is for: the project's own, or discovery for an idea."""
    return project.phase if project.phase in BID_PHASES else Phase.DISCOVERY


@transaction.atomic
def application_start(*, actor: User, call: Call, project) -> Application:
    """Start a draft bid to an open call for a project the person works on. The draft starts
    with the project's summary and phase; nothing about it is public until it is submitted."""
    application = Application(call=call, project=project, lead_council=project.lead_council)
    _editor_check(actor, application)
    if project.state not in APPLYING_PROJECT_STATES or project.is_hidden:
        raise Conflict(
            _("Only a published project that is seeking support or in delivery can apply."),
            field="project",
        )
    if not call.is_open():
        raise Conflict(
            closed_message(call)
            if timezone.now() >= call.closes_at
            else _("This call is not open for applications."),
            field="call",
        )
    application.created_by = actor
    application.summary = project.summary[:SUMMARY_MAX]
    application.phase = default_phase(project)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(project)s already has an application to this call.") % {"project": project.title},
            field="project",
        ) from exc
    return application


def _refuse_unless_editable(application: Application) -> None:
    if application.state != ApplicationState.DRAFT:
        raise Conflict(
            _("This application is %(state)s, so it can no longer be changed.")
            % {"state": str(application.get_public_state_display()).lower()}
        )
    if timezone.now() >= application.call.closes_at:
        raise Conflict(closed_message(application.call))


@transaction.atomic
def application_update(
    *,
    actor: User,
    application: Application,
    summary: str | None = None,
    amount_requested: int | None | str = "",
    phase: str | None = None,
    answers: Mapping[int, str] | None = None,
) -> Application:
    """Save the draft as it is, complete or not ("Save draft"): only what is given changes
    (``amount_requested=None`` clears the amount). Word limits are checked now; whether the
    required questions are answered is checked at submission."""
    application = _lock(application)
    _editor_check(actor, application)
    _refuse_unless_editable(application)
    fields = []
    if summary is not None:
        application.summary = _clean_text(summary, field="summary", limit=SUMMARY_MAX)
        fields.append("summary")
    if amount_requested != "":
        _validate_amount(amount_requested)
        application.amount_requested = amount_requested
        fields.append("amount_requested")
    if phase is not None:
        _validate_phase(phase)
        application.phase = phase
        fields.append("phase")
    if answers is not None:
        _save_answers(application, answers)
    if fields:
        application.save(update_fields=[*fields, "updated_at"])
    elif answers is not None:
        application.save(update_fields=["updated_at"])
    return application


def _save_answers(application: Application, answers: Mapping[int, str]) -> None:
    questions = {q.pk: q for q in application.call.questions.all()}
    cleaned = {}
    for question_id, text in answers.items():
        field = f"answer_{question_id}"
        question = questions.get(question_id)
        if question is None:
            raise InvalidInput(_("This call has no such question."), field=field)
        text = _clean_text(text, field=field, limit=ANSWER_MAX)
        words = word_count(text)
        if words > question.word_limit:
            raise InvalidInput(
                _("Your answer must be %(limit)s words or fewer; it is %(words)s words.")
                % {"limit": question.word_limit, "words": words},
                field=field,
            )
        cleaned[question_id] = text
    existing = {a.question_id: a for a in Answer.objects.filter(application=application)}
    for question_id, text in cleaned.items():
        answer = existing.get(question_id)
        if answer is None:
            Answer.objects.create(application=application, question_id=question_id, text=text)
        elif answer.text != text:
            answer.text = text
            answer.save(update_fields=["text", "updated_at"])


# --- submitting ---------------------------------------------------------------------------------


def submit_refusal(actor, application: Application) -> str:
    """Why this person may not submit this bid ("" when they may, second factor aside)."""
    if application.state != ApplicationState.DRAFT:
        return _("This application is %(state)s.") % {
            "state": str(application.get_public_state_display()).lower()
        }
    if not user_has_authority(actor, application):
        return _(
            "An approver or a council admin of %(council)s submits the application for the council."
        ) % {"council": application.lead_council.display_name}
    return ""


@transaction.atomic
def application_submit(*, actor: User, application: Application) -> Application:
    """Submit the bid for the lead council: eligible, by someone with authority, before the
    call closes by the server's clock (the last check, just before the commit)."""
    _authority_check(
        actor,
        application,
        _("Only an approver or a council admin of %(council)s can submit this application."),
    )
    # The call first, then the bid: every writer that takes both takes them in this order.
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = _lock(application)
    application.call = call
    if application.state != ApplicationState.DRAFT:
        raise Conflict(
            _("This application is %(state)s, so it cannot be submitted again.")
            % {"state": str(application.get_public_state_display()).lower()}
        )
    now = timezone.now()
    if now >= call.closes_at or call.status == CallStatus.DECIDED:
        raise Conflict(not_submitted_message(call), code="call_closed")
    if call.status != CallStatus.PUBLISHED or now < call.opens_at:
        raise Conflict(_("This call is not open for applications."), code="call_not_open")
    shortfalls = application_shortfalls(application, clock=False)
    if shortfalls:
        raise NotEligible(shortfalls)
    application.state = ApplicationState.SUBMITTED
    application.submitted_at = timezone.now()
    application.submitted_by = actor
    application.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDING_APPLICATION_SUBMITTED,
        project=application.project,
        target=str(application),
        details={"application": application.pk, "amount_requested": application.amount_requested},
    )
    application_changed(application, "submitted", actor=actor)
    # Last of all: the server's clock decides. A request that started before the closing time
    # but got here at or after it (slow checks, a lock held by someone else) is refused, and
    # everything above rolls back with it.
    if not timezone.now() < call.closes_at:
        raise Conflict(not_submitted_message(call), code="call_closed")
    return application


# --- withdrawing --------------------------------------------------------------------------------


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str) -> Application:
    """Withdraw the bid for the lead council, with a reason, until the funder decides it. The
    project is then free to apply to the call again."""
    _authority_check(
        actor,
        application,
        _("Only an approver or a council admin of %(council)s can withdraw this application."),
    )
    application = _lock(application)
    if application.state in DECIDED_STATES:
        raise Conflict(
            _("The funder has decided this application, so it can no longer be withdrawn.")
        )
    if application.state == ApplicationState.WITHDRAWN:
        time, date = local_moment(application.withdrawn_at or timezone.now())
        raise Conflict(
            _("This application was withdrawn at %(time)s on %(date)s.")
            % {"time": time, "date": date}
        )
    reason = _clean_text(reason, field="reason", limit=REASON_MAX)
    if not reason:
        raise InvalidInput(
            _("Give a reason for withdrawing; the project team and partner councils will see it."),
            field="reason",
        )
    application.state = ApplicationState.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.withdrawn_by = actor
    application.withdrawn_reason = reason
    application.save(
        update_fields=["state", "withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"]
    )
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDING_APPLICATION_WITHDRAWN,
        project=application.project,
        target=str(application),
        reason=reason,
        details={"application": application.pk},
    )
    application_changed(application, "withdrawn", actor=actor)
    return application
