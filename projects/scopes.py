"""What a change to a project's rows retires from the page cache (``core.pagecache``).

Pledges, their ledger events, needs, teams, updates, adoptions and demand signals are the
busiest writes; each shows on its project's page, on the pages of the councils it names, and
in listings through the project's row. So a change to one bumps only these tags, and the views
that show them declare them (``pagecache.depends_on``):

- ``project:<pk>``: anything about that project (its page, its row in any listing);
- ``project:<pk>:pledges``, ``…:team``, ``…:updates``: the kind of change, for the parts of the
  project's page kept for everyone (``PAGE_PARTS``): a pledge redraws the parts showing pledges
  and keeps the maker team and the updates as they were drawn; an update keeps the pledges;
- ``council:<pk>``: that council's own pledges (with their totals), adoptions and signals;
  ``council:<pk>:benefits``, the benefits it reported (its adoptions and their benefits);
- ``projects:list``: which projects a listing holds, in what order, for the orderings and
  filters that read only a project's own fields and needs;
- ``projects:support``: support figures that other orderings and filters (most supported,
  partner council, councils that need it too, no recent activity) read across projects;
- ``projects:totals``: the national totals on the home page (money and time pledged, councils
  taking part, benefits): pledges, their events and decision records, adoptions and benefits.
  The home page depends on it and on the tags of the projects its blocks show, not on
  ``projects:support``, so an update to a project it does not show keeps it.

A project's own row is not scoped: publishing, hiding, retitling or moving one changes which
listings and council pages hold it, and is rare next to pledges. That, and anything else public
(a council's name, a person's name, Wagtail pages), still retires every cached page.
"""

from __future__ import annotations

from collections.abc import Iterable

from core import pagecache

SUPPORT = "projects:support"
LISTING = "projects:list"
TOTALS = "projects:totals"


def project_tag(pk: int) -> str:
    return f"project:{pk}"


def council_tag(pk: int) -> str:
    return f"council:{pk}"


def council_benefits_tag(pk: int) -> str:
    """What a council's page shows of the benefits it reported: only adoptions and benefits
    change it, not the council's pledges (the busiest writes)."""
    return f"council:{pk}:benefits"


PLEDGES, TEAM, UPDATES = "pledges", "team", "updates"
# The parts of a project's page kept for everyone (``templates/projects/detail.html``) and the
# kinds of change each shows. The facts count partner councils, which the maker team's members'
# councils are among; the progress and facts show totals, which only pledges and needs change.
# Anything not scoped (the project's own row, a name) retires every part, as every page.
PAGE_PARTS = {
    "progress": (PLEDGES,),
    "about": (TEAM,),
    "updates": (UPDATES,),
    "pledges": (PLEDGES,),
    "facts": (PLEDGES, TEAM),
}


def project_part_tag(pk: int, kind: str) -> str:
    return f"project:{pk}:{kind}"


def project_part_versions(pk: int) -> dict[str, str]:
    """The version of each of ``PAGE_PARTS`` for this project, and ``page``: that of anything
    on the page about the project (``project_tag``), read in one round trip."""
    keyed = {
        part: [project_part_tag(pk, kind) for kind in kinds] for part, kinds in PAGE_PARTS.items()
    }
    return pagecache.part_versions({**keyed, "page": [project_tag(pk)]})


def _need(need) -> list[str]:
    return [project_tag(need.project_id), project_part_tag(need.project_id, PLEDGES), LISTING]


def _pledge(pledge) -> list[str]:
    return [
        project_tag(pledge.project_id),
        project_part_tag(pledge.project_id, PLEDGES),
        council_tag(pledge.council_id),
        SUPPORT,
        TOTALS,
    ]


def _pledge_event(event) -> list[str]:
    return _pledge(event.pledge)  # written with its pledge, which is at hand


def _with_council(row) -> list[str]:
    tags = [project_tag(row.project_id), SUPPORT]
    if getattr(row, "council_id", None):
        tags.append(council_tag(row.council_id))
    return tags


def _adoption(adoption) -> list[str]:
    # The national benefits count adopters; the council's own page lists its benefits by them.
    return [*_with_council(adoption), council_benefits_tag(adoption.council_id), TOTALS]


def _team(membership) -> list[str]:
    return [*_with_council(membership), project_part_tag(membership.project_id, TEAM)]


def _update(update) -> list[str]:
    return [*_with_council(update), project_part_tag(update.project_id, UPDATES)]


SCOPES = {
    "projects.need": _need,
    "projects.pledge": _pledge,
    "projects.pledgeevent": _pledge_event,
    "projects.pledgedecisionrecord": _pledge_event,  # shown with its pledge, on every page of it
    "projects.teammembership": _team,
    "projects.update": _update,
    "projects.adoption": _adoption,
    "projects.demandsignal": _with_council,
}


def register() -> None:
    for label, tags in SCOPES.items():
        pagecache.register_scope(label, tags)


# Filters of the project listing that read support figures (``filters.ProjectFilterSet``); of its
# orderings (``filters.SORTS``), all but newest and closing do.
SUPPORT_FILTERS = ("partner_council", "dormant")


def reads_support(params) -> bool:
    """Whether a listing with these query parameters orders or filters on support figures
    (erring towards yes: an unknown sort counts)."""
    sort = params.get("sort") or "newest"
    return sort not in ("newest", "closing") or any(params.get(f) for f in SUPPORT_FILTERS)


def listing_tags(projects: Iterable, *, support: bool) -> list[str]:
    """What a listing of ``projects`` depends on; ``support`` when its filter or order reads
    support figures."""
    tags = [LISTING, *(project_tag(p.pk) for p in projects)]
    if support:
        tags.append(SUPPORT)
    return tags


def _with_versions(rows: Iterable, tags_of, *, since: int | None) -> list:
    rows = list(rows)
    versions = pagecache.part_versions({r.pk: tags_of(r) for r in rows}, since=since)
    for row in rows:
        row.part_version = versions[row.pk]
    return rows


def with_part_versions(projects: Iterable, *, since: int | None) -> list:
    """``projects`` as a list, each with ``part_version``: the version of its card and row kept
    in the cache (``core.pagecache.part_versions``), read for all of them at once. ``since``:
    ``pagecache.change_mark()`` taken before the rows were read (a row changed since is drawn,
    not kept)."""
    return _with_versions(projects, lambda p: (project_tag(p.pk),), since=since)


def with_pledge_versions(pledges: Iterable, *, since: int | None) -> list:
    """As ``with_part_versions``, for pledge listing rows: a pledge's row changes with its
    project (its own moves, amendments and decision record are written under the project's
    tag) and its council (the name it shows)."""
    return _with_versions(
        pledges,
        lambda p: (project_tag(p.project_id), council_tag(p.council_id)),
        since=since,
    )
