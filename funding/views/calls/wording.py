"""A call in words: when it opens or closes ("Closes in 3 days"), and its eligibility rules as
a person would say them ("At least 2 partner councils besides the lead")."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from councils.models import Nation
from projects.models import Phase

from ...models import Call
from ...selectors.calls import (
    CLOSED,
    DECIDED,
    DRAFT,
    OPEN,
    UPCOMING,
    call_stage,
    council_type_display,
)

STAGE_LABELS = {
    DRAFT: (gettext_lazy("Draft"), "govuk-tag--grey"),
    UPCOMING: (gettext_lazy("Opening soon"), "govuk-tag--blue"),
    OPEN: (gettext_lazy("Open"), "govuk-tag--green"),
    CLOSED: (gettext_lazy("Closed"), "govuk-tag--orange"),
    DECIDED: (gettext_lazy("Decided"), "govuk-tag--purple"),
}


def _day(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def when_text(call: Call, now: datetime.datetime | None = None) -> str:
    """Where the call is in its life, and what comes next, in the reader's language."""
    now = now or timezone.now()
    stage = call_stage(call, now)
    today = timezone.localtime(now).date()
    if stage == OPEN:
        days = (timezone.localtime(call.closes_at).date() - today).days
        if days <= 0:
            return _("Closes today at %(time)s") % {"time": _time(call.closes_at)}
        if days == 1:
            return _("Closes tomorrow at %(time)s") % {"time": _time(call.closes_at)}
        return ngettext(
            "Closes in %(count)s day, on %(date)s at %(time)s",
            "Closes in %(count)s days, on %(date)s at %(time)s",
            days,
        ) % {"count": days, "date": _day(call.closes_at), "time": _time(call.closes_at)}
    if stage in (UPCOMING, DRAFT):
        days = (timezone.localtime(call.opens_at).date() - today).days
        if stage == UPCOMING and days == 0:
            return _("Opens today at %(time)s") % {"time": _time(call.opens_at)}
        if stage == UPCOMING and days == 1:
            return _("Opens tomorrow at %(time)s") % {"time": _time(call.opens_at)}
        return _("Opens on %(date)s at %(time)s, closes on %(closes)s at %(closes_time)s") % {
            "date": _day(call.opens_at),
            "time": _time(call.opens_at),
            "closes": _day(call.closes_at),
            "closes_time": _time(call.closes_at),
        }
    if stage == CLOSED:
        text = _("Closed on %(date)s") % {"date": _day(call.closes_at)}
        if call.decision_expected_on:
            text += ". " + _("Decisions expected by %(date)s") % {
                "date": date_format(call.decision_expected_on, "j F Y")
            }
        return text
    return _("Decided on %(date)s") % {"date": _day(call.decided_at or call.closes_at)}


def stage_tag(call: Call, now: datetime.datetime | None = None) -> tuple[str, str]:
    """(label, GOV.UK tag class) for the call's stage."""
    label, css = STAGE_LABELS[call_stage(call, now)]
    return str(label), css


def _listed(items: list[str]) -> str:
    return str(get_text_list([str(i) for i in items], _("and")))


def _listed_or(items: list[str]) -> str:
    return str(get_text_list([str(i) for i in items], _("or")))


def rule_lines(call: Call, type_names: dict[str, str]) -> list[str]:
    """Each eligibility rule as a sentence; one sentence saying anyone may apply if none.

    Reads the call's service areas and commitments (prefetch them)."""
    lines = []
    if call.min_partners:
        lines.append(
            ngettext(
                "At least %(count)s partner council besides the lead",
                "At least %(count)s partner councils besides the lead",
                call.min_partners,
            )
            % {"count": call.min_partners}
        )
    commitments = [c.display_name for c in call.required_commitments.all()]
    if commitments:
        lines.append(
            _("Every council in the bid must have signed the %(commitments)s")
            % {"commitments": _listed(commitments)}
        )
    if call.nations:
        labels = [Nation(n).label for n in call.nations if n in Nation.values]
        lines.append(
            _("Every council in the bid must be in %(nations)s") % {"nations": _listed_or(labels)}
        )
    if call.council_types:
        names = [council_type_display(code, type_names) for code in call.council_types]
        lines.append(
            _("Every council in the bid must be one of these types: %(types)s")
            % {"types": _listed_or(names)}
        )
    areas = [a.display_name for a in call.service_areas.all()]
    if areas:
        lines.append(
            ngettext(
                "Projects in this service area only: %(areas)s",
                "Projects in these service areas only: %(areas)s",
                len(areas),
            )
            % {"areas": _listed(areas)}
        )
    if call.phases:
        labels = [str(Phase(p).label).lower() for p in call.phases if p in Phase.values]
        lines.append(_("The money is for %(phases)s work") % {"phases": _listed_or(labels)})
    if call.awards_per_service_area:
        lines.append(
            ngettext(
                "Usually no more than %(count)s bid is funded in each service area",
                "Usually no more than %(count)s bids are funded in each service area",
                call.awards_per_service_area,
            )
            % {"count": call.awards_per_service_area}
        )
    if not lines:
        lines.append(_("Any council may apply, with a project in any service area and phase"))
    return lines


def criteria_with_shares(call: Call) -> list[tuple]:
    """(criterion, its share of the total weight in whole per cent), in order."""
    criteria = list(call.criteria.all())
    total = sum(c.weight for c in criteria) or 1
    return [(c, round(100 * c.weight / total)) for c in criteria]
