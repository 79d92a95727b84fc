"""The stored totals of a project and its needs, recalculated inside every pledge write."""

from django.db.models import Q, Sum

from ..models import COUNTED_STATES, Kind, Need, Pledge, PledgeState, Project
from ..selectors import project_team_partner_council_ids
from .conditions import conditions_settle, matches_follow


def recalculate_totals(project: Project) -> None:
    """Settle conditions, bring match amounts up to date, then store the totals from the
    pledges' current states; the project row is already locked.

    Every pledge write ends here, so whatever changed a pledge (an offer, a decision, a
    withdrawal, a sign-off) also meets or lapses the conditions it affects and moves the
    matches that follow it, in the same transaction. Unconditional pledges feed the offered,
    accepted and fulfilled totals; pledges waiting on a condition feed ``conditional`` and match
    pledges on the table feed ``matched``, apart from them.
    """
    conditions_settle(project)
    matches_follow(project)
    rows = (
        Pledge.objects.filter(project=project, state__in=(*COUNTED_STATES, PledgeState.CONDITIONAL))
        .values("need_id", "kind", "state")
        .annotate(
            plain=Sum("amount", filter=Q(match_percent__isnull=True), default=0),
            matched=Sum("matched_amount", filter=Q(match_percent__isnull=False), default=0),
        )
    )
    buckets = ("offered", "accepted", "fulfilled", "conditional", "matched")
    fields = {f"{prefix}_{name}": 0 for prefix in ("money", "half_days") for name in buckets}
    per_need: dict[int, dict[str, int]] = {}
    for row in rows:
        prefix = "money" if row["kind"] == Kind.MONEY else "half_days"
        if row["state"] == PledgeState.CONDITIONAL:
            parts = {"conditional": row["plain"] + row["matched"]}
        else:
            parts = {row["state"]: row["plain"], "matched": row["matched"]}
        for name, value in parts.items():
            fields[f"{prefix}_{name}"] += value
            if row["need_id"]:
                need_totals = per_need.setdefault(row["need_id"], dict.fromkeys(buckets, 0))
                need_totals[name] += value
    partner_ids = set(
        Pledge.objects.filter(
            project=project,
            state__in=(PledgeState.ACCEPTED, PledgeState.FULFILLED),
            council__isnull=False,  # a funder's award makes no partner council
        )
        .exclude(council_id=project.lead_council_id)
        .values_list("council_id", flat=True)
    )
    partner_ids |= project_team_partner_council_ids(project)
    fields["partner_count"] = len(partner_ids)
    Project.objects.filter(pk=project.pk).update(**fields)
    for need in Need.objects.filter(project=project):
        values = per_need.get(need.pk, dict.fromkeys(buckets, 0))
        if any(getattr(need, name) != values[name] for name in buckets):
            Need.objects.filter(pk=need.pk).update(**values)
