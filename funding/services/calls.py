"""Writes for funding calls: a funder admin drafts a call, changes it and publishes it.

Every way in calls these. The rules a call is judged by are fixed once it opens: after its
opening time a published call's rules, questions and criteria (and its budget, times, title and
summary) stay as every applicant first read them; only its description and the date decisions
are expected may change. The server's clock decides when that is.
"""

import datetime
from collections.abc import Iterable
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput
from core.formatting import format_pence
from councils.models import Commitment, Nation
from projects.models import MAX_MONEY_PENCE, MAX_OTHER_COUNCILS, NEED_PHASES, Language, ServiceArea

from ..models import Call, CallQuestion, CallStatus, Criterion, Funder
from ..selectors.calls import call_is_locked, council_type_names
from .funders import require_funder_admin

User = get_user_model()

MAX_BUDGET_PENCE = MAX_MONEY_PENCE * 100  # £1,000,000,000, as the table allows
MAX_QUESTIONS = 30
MAX_CRITERIA = 20
MAX_WORD_LIMIT = 5_000
MAX_WEIGHT = 1_000
MAX_AWARDS_PER_AREA = 100
# What may still change once a published call has opened.
LATE_FIELDS = frozenset({"description", "decision_expected_on"})
# Fields kept as they are: the call's own columns (its rules among them), and its sets.
COLUMNS = (
    "title",
    "summary",
    "description",
    "language",
    "budget",
    "max_award",
    "opens_at",
    "closes_at",
    "decision_expected_on",
    "min_partners",
    "nations",
    "council_types",
    "phases",
    "awards_per_service_area",
)
SETS = ("service_areas", "required_commitments")


class QuestionInput(TypedDict, total=False):
    id: int | None  # an existing question of this call, to change in place
    text: str
    guidance: str
    word_limit: int
    required: bool


class CriterionInput(TypedDict, total=False):
    id: int | None
    title: str
    description: str
    weight: int


# --- checking the values -------------------------------------------------------------------


def _subset(values: Iterable[str], allowed: Iterable[str], *, field: str, message: str) -> list:
    values = list(dict.fromkeys(values or []))
    allowed = set(allowed)
    if any(v not in allowed for v in values):
        raise InvalidInput(message, field=field)
    return values


def _check_fields(values: dict, *, now: datetime.datetime) -> dict:
    """The call's own values, cleaned, or the first problem as ``InvalidInput`` on its field."""
    title = (values.get("title") or "").strip()
    if not title:
        raise InvalidInput(_("Enter the call’s title"), field="title")
    if len(title) > 160:
        raise InvalidInput(_("The title can be 160 characters at most"), field="title")
    summary = (values.get("summary") or "").strip()
    if not summary:
        raise InvalidInput(_("Enter a summary of the call"), field="summary")
    if len(summary) > 300:
        raise InvalidInput(_("The summary can be 300 characters at most"), field="summary")
    description = (values.get("description") or "").strip()
    if len(description) > 20_000:
        raise InvalidInput(
            _("The description can be 20,000 characters at most"), field="description"
        )
    language = values.get("language") or Language.ENGLISH
    if language not in Language.values:
        raise InvalidInput(_("Choose English or Welsh"), field="language")

    budget, max_award = values.get("budget"), values.get("max_award")
    if not isinstance(budget, int) or budget <= 0:
        raise InvalidInput(_("Enter the call’s budget, more than £0"), field="budget")
    if budget > MAX_BUDGET_PENCE:
        raise InvalidInput(
            _("The budget must be %(top)s or less") % {"top": format_pence(MAX_BUDGET_PENCE)},
            field="budget",
        )
    if not isinstance(max_award, int) or max_award <= 0:
        raise InvalidInput(_("Enter the largest award, more than £0"), field="max_award")
    if max_award > budget:
        raise InvalidInput(
            _("The largest award cannot be more than the budget (%(budget)s)")
            % {"budget": format_pence(budget)},
            field="max_award",
        )
    if max_award > MAX_MONEY_PENCE:
        raise InvalidInput(
            _("The largest award must be %(top)s or less") % {"top": format_pence(MAX_MONEY_PENCE)},
            field="max_award",
        )

    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if not isinstance(opens_at, datetime.datetime):
        raise InvalidInput(_("Enter when the call opens"), field="opens_at")
    if not isinstance(closes_at, datetime.datetime):
        raise InvalidInput(_("Enter when the call closes"), field="closes_at")
    if closes_at <= opens_at:
        raise InvalidInput(_("The call must close after it opens"), field="closes_at")
    if closes_at <= now:
        raise InvalidInput(_("The closing time must be in the future"), field="closes_at")
    decision = values.get("decision_expected_on")
    if decision is not None and decision < timezone.localtime(closes_at).date():
        raise InvalidInput(
            _("Decisions cannot be expected before the call closes"),
            field="decision_expected_on",
        )

    min_partners = values.get("min_partners") or 0
    if not isinstance(min_partners, int) or not 0 <= min_partners <= MAX_OTHER_COUNCILS:
        raise InvalidInput(
            _("Enter a number of partner councils from 0 to %(top)s") % {"top": MAX_OTHER_COUNCILS},
            field="min_partners",
        )
    awards = values.get("awards_per_service_area")
    if awards is not None and (
        not isinstance(awards, int) or not 1 <= awards <= MAX_AWARDS_PER_AREA
    ):
        raise InvalidInput(
            _("Enter a number of awards per service area from 1 to %(top)s, or leave it empty")
            % {"top": MAX_AWARDS_PER_AREA},
            field="awards_per_service_area",
        )
    return {
        "title": title,
        "summary": summary,
        "description": description,
        "language": language,
        "budget": budget,
        "max_award": max_award,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "decision_expected_on": decision,
        "min_partners": min_partners,
        "awards_per_service_area": awards,
        "nations": _subset(
            values.get("nations", []),
            Nation.values,
            field="nations",
            message=_("Choose nations from the list"),
        ),
        "council_types": _subset(
            values.get("council_types", []),
            council_type_names(),
            field="council_types",
            message=_("Choose council types from the list"),
        ),
        "phases": _subset(
            values.get("phases", []),
            NEED_PHASES,
            field="phases",
            message=_("Choose phases from the list"),
        ),
        "service_areas": _instances(values.get("service_areas", []), ServiceArea, "service_areas"),
        "required_commitments": _instances(
            values.get("required_commitments", []), Commitment, "required_commitments"
        ),
    }


def _instances(items, model, field: str) -> list:
    items = list(dict.fromkeys(items or []))
    if any(not isinstance(item, model) or item.pk is None for item in items):
        raise InvalidInput(_("Choose from the list"), field=field)
    return items


def _check_questions(questions: list[QuestionInput]) -> list[QuestionInput]:
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(
            _("A call can ask %(top)s questions at most") % {"top": MAX_QUESTIONS},
            field="questions",
        )
    cleaned = []
    for n, question in enumerate(questions, 1):
        text = (question.get("text") or "").strip()
        guidance = (question.get("guidance") or "").strip()
        limit = question.get("word_limit")
        limit = 250 if limit is None else limit
        if not text:
            raise InvalidInput(
                _("Question %(n)s: enter the question") % {"n": n}, field="questions"
            )
        if len(text) > 500 or len(guidance) > 2000:
            raise InvalidInput(
                _("Question %(n)s is too long: 500 characters for the question, 2,000 for guidance")
                % {"n": n},
                field="questions",
            )
        if not isinstance(limit, int) or not 1 <= limit <= MAX_WORD_LIMIT:
            raise InvalidInput(
                _("Question %(n)s: the word limit must be from 1 to %(top)s")
                % {"n": n, "top": f"{MAX_WORD_LIMIT:,}"},
                field="questions",
            )
        cleaned.append(
            {
                "id": question.get("id"),
                "text": text,
                "guidance": guidance,
                "word_limit": limit,
                "required": bool(question.get("required", True)),
            }
        )
    return cleaned


def _check_criteria(criteria: list[CriterionInput]) -> list[CriterionInput]:
    if len(criteria) > MAX_CRITERIA:
        raise InvalidInput(
            _("A call can have %(top)s criteria at most") % {"top": MAX_CRITERIA},
            field="criteria",
        )
    cleaned = []
    for n, criterion in enumerate(criteria, 1):
        title = (criterion.get("title") or "").strip()
        description = (criterion.get("description") or "").strip()
        weight = criterion.get("weight")
        if not title:
            raise InvalidInput(
                _("Criterion %(n)s: enter what assessors score") % {"n": n}, field="criteria"
            )
        if len(title) > 200 or len(description) > 2000:
            raise InvalidInput(
                _(
                    "Criterion %(n)s is too long: 200 characters for its title, 2,000 for what "
                    "assessors look for"
                )
                % {"n": n},
                field="criteria",
            )
        if not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
            raise InvalidInput(
                _("Criterion %(n)s: the weight must be a whole number from 1 to %(top)s")
                % {"n": n, "top": f"{MAX_WEIGHT:,}"},
                field="criteria",
            )
        cleaned.append(
            {
                "id": criterion.get("id"),
                "title": title,
                "description": description,
                "weight": weight,
            }
        )
    return cleaned


# --- questions and criteria, kept in place -------------------------------------------------


def _replace_rows(call: Call, model, rows: list[dict], fields: tuple[str, ...], field: str) -> None:
    """Make the call's questions (or criteria) exactly ``rows``, in order: rows with the id of
    one of the call's own change in place (answers given to a question stay with it), others
    are added, and the call's rows not listed are removed."""
    existing = {row.pk: row for row in model.objects.select_for_update().filter(call=call)}
    wanted = [row.get("id") for row in rows if row.get("id")]
    if any(pk not in existing for pk in wanted) or len(wanted) != len(set(wanted)):
        raise InvalidInput(
            _("The form was out of date. Open the call again and retry."), field=field
        )
    model.objects.filter(call=call).exclude(pk__in=wanted).delete()
    # Out of the way first: positions are unique within the call.
    for offset, pk in enumerate(wanted, 1):
        model.objects.filter(pk=pk).update(position=10_000 + offset)
    for position, row in enumerate(rows, 1):
        values = {name: row[name] for name in fields}
        if row.get("id"):
            model.objects.filter(pk=row["id"]).update(position=position, **values)
        else:
            model.objects.create(call=call, position=position, **values)


QUESTION_FIELDS = ("text", "guidance", "word_limit", "required")
CRITERION_FIELDS = ("title", "description", "weight")


def _rows_now(call: Call) -> tuple[list[tuple], list[tuple]]:
    questions = list(
        CallQuestion.objects.filter(call=call).order_by("position").values_list(*QUESTION_FIELDS)
    )
    criteria = list(
        Criterion.objects.filter(call=call).order_by("position").values_list(*CRITERION_FIELDS)
    )
    return questions, criteria


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:150].strip("-") or "call"
    slug, n = base, 1
    others = Call.objects.exclude(pk=exclude_pk) if exclude_pk else Call.objects.all()
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def call_create(
    *,
    actor: User,
    funder: Funder,
    fields: dict,
    questions: list[QuestionInput] = (),
    criteria: list[CriterionInput] = (),
) -> Call:
    """A funder admin (or an organiser) drafts a call. Nobody but the funder's members and
    organisers sees it until it is published (``call_publish``)."""
    require_funder_admin(actor=actor, funder=funder)
    now = timezone.now()
    values = _check_fields(fields, now=now)
    questions = _check_questions(list(questions))
    criteria = _check_criteria(list(criteria))
    areas, commitments = values.pop("service_areas"), values.pop("required_commitments")
    for attempt in range(3):
        call = Call(
            funder=funder,
            created_by=actor,
            status=CallStatus.DRAFT,
            slug=_unique_slug(values["title"]),
            **values,
        )
        try:
            with transaction.atomic():
                call.save()
                break
        except IntegrityError as exc:  # the same title, saved a moment ago: the next slug
            if attempt == 2:
                raise Conflict(_("Please try again."), field="title") from exc
    call.service_areas.set(areas)
    call.required_commitments.set(commitments)
    _replace_rows(
        call, CallQuestion, [{**q, "id": None} for q in questions], QUESTION_FIELDS, "questions"
    )
    _replace_rows(
        call, Criterion, [{**c, "id": None} for c in criteria], CRITERION_FIELDS, "criteria"
    )
    return call


def _locked_refusal(call: Call) -> Conflict:
    return Conflict(
        _(
            "This call opened on %(date)s, so its rules, questions and criteria can no longer "
            "change. You can still change its description and when decisions are expected."
        )
        % {"date": date_format(timezone.localtime(call.opens_at), "j F Y")},
        field="__all__",
    )


@transaction.atomic
def call_update(
    *,
    actor: User,
    call: Call,
    fields: dict,
    questions: list[QuestionInput] | None = None,
    criteria: list[CriterionInput] | None = None,
) -> Call:
    """Change a call. ``fields`` holds the values to set (left out: unchanged); ``questions``
    and ``criteria`` (None: unchanged) are the whole lists, in order.

    Once a published call has opened only ``description`` and ``decision_expected_on`` may
    change: anything else that differs is refused, whatever the way in."""
    require_funder_admin(actor=actor, funder=call.funder)
    call = Call.objects.select_for_update().select_related("funder").get(pk=call.pk)
    if call.status == CallStatus.DECIDED:
        raise Conflict(_("This call has been decided; it can no longer change."))
    now = timezone.now()
    current = {name: getattr(call, name) for name in COLUMNS}
    current["service_areas"] = list(call.service_areas.order_by("pk"))
    current["required_commitments"] = list(call.required_commitments.order_by("pk"))
    if call_is_locked(call, now):
        late = {k: v for k, v in fields.items() if k in LATE_FIELDS}
        others = {k: v for k, v in fields.items() if k not in LATE_FIELDS}
        if any(_differs(current.get(k), v) for k, v in others.items()):
            raise _locked_refusal(call)
        rows_now = _rows_now(call)
        if (
            questions is not None
            and [tuple(q.get(f) for f in QUESTION_FIELDS) for q in _check_questions(questions)]
            != rows_now[0]
        ):
            raise _locked_refusal(call)
        if (
            criteria is not None
            and [tuple(c.get(f) for f in CRITERION_FIELDS) for c in _check_criteria(criteria)]
            != rows_now[1]
        ):
            raise _locked_refusal(call)
        description = (late.get("description", call.description) or "").strip()
        if len(description) > 20_000:
            raise InvalidInput(
                _("The description can be 20,000 characters at most"), field="description"
            )
        decision = late.get("decision_expected_on", call.decision_expected_on)
        if decision is not None and decision < timezone.localtime(call.closes_at).date():
            raise InvalidInput(
                _("Decisions cannot be expected before the call closes"),
                field="decision_expected_on",
            )
        changed = {
            name: {"before": str(getattr(call, name) or ""), "after": str(value or "")}
            for name, value in (("description", description), ("decision_expected_on", decision))
            if getattr(call, name) != value
        }
        call.description, call.decision_expected_on = description, decision
        call.save(update_fields=["description", "decision_expected_on", "updated_at"])
        if changed:
            _log_change(actor, call, changed)
        return call

    values = _check_fields({**current, **fields}, now=now)
    areas, commitments = values.pop("service_areas"), values.pop("required_commitments")
    changed = sorted(k for k, v in values.items() if _differs(current[k], v))
    if {a.pk for a in areas} != {a.pk for a in current["service_areas"]}:
        changed.append("service_areas")
    if {c.pk for c in commitments} != {c.pk for c in current["required_commitments"]}:
        changed.append("required_commitments")
    for name, value in values.items():
        setattr(call, name, value)
    call.save()
    call.service_areas.set(areas)
    call.required_commitments.set(commitments)
    rows_before = _rows_now(call)
    if questions is not None:
        _replace_rows(call, CallQuestion, _check_questions(questions), QUESTION_FIELDS, "questions")
    if criteria is not None:
        _replace_rows(call, Criterion, _check_criteria(criteria), CRITERION_FIELDS, "criteria")
    rows_after = _rows_now(call)
    if rows_before[0] != rows_after[0]:
        changed.append("questions")
    if rows_before[1] != rows_after[1]:
        changed.append("criteria")
    if call.status == CallStatus.PUBLISHED and changed:
        # A published call that has not opened yet: applicants may have read it already.
        _log_change(actor, call, {"changed": changed})
    return call


def _differs(before, after) -> bool:
    if isinstance(before, list) and isinstance(after, list | tuple):
        key = (lambda v: v.pk) if before and hasattr(before[0], "pk") else (lambda v: v)
        return sorted(map(key, before)) != sorted(map(key, after))
    return before != after


def _log_change(actor: User, call: Call, details: dict) -> None:
    activity_record(
        actor=actor,
        action=ActivityAction.CALL_CHANGED,
        target=f"{call.title} ({call.funder.name})",
        details=details,
    )


@transaction.atomic
def call_publish(*, actor: User, call: Call) -> Call:
    """A draft becomes public: it needs a question and a criterion, and must close in the
    future (it opens at its opening time, or at once if that has passed)."""
    require_funder_admin(actor=actor, funder=call.funder)
    call = Call.objects.select_for_update().select_related("funder").get(pk=call.pk)
    if call.status != CallStatus.DRAFT:
        raise Conflict(_("This call has already been published."))
    problems = []
    if not CallQuestion.objects.filter(call=call).exists():
        problems.append(_("Add at least one question applicants must answer."))
    if not Criterion.objects.filter(call=call).exists():
        problems.append(_("Add at least one assessment criterion."))
    now = timezone.now()
    if call.closes_at <= now:
        problems.append(_("Move the closing time into the future."))
    if problems:
        raise Conflict(
            _("The call cannot be published yet.") + " " + " ".join(str(p) for p in problems)
        )
    call.status = CallStatus.PUBLISHED
    call.published_at = now
    call.save(update_fields=["status", "published_at", "updated_at"])
    activity_record(
        actor=actor,
        action=ActivityAction.CALL_PUBLISHED,
        target=f"{call.title} ({call.funder.name})",
        details={
            "opens_at": timezone.localtime(call.opens_at).isoformat(),
            "closes_at": timezone.localtime(call.closes_at).isoformat(),
        },
    )
    return call
