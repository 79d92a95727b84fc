"""What a change to a project's rows retires from the page cache (``core.pagecache``).

Pledges, their ledger events, needs, teams, updates, adoptions and demand signals are the
busiest writes; each shows on its project's page, on the pages of the councils it names, and
in listings through the project's row. So a change to one bumps only these tags, and the views
that show them declare them (``pagecache.depends_on``):

- ``project:<pk>``: anything about that project (its page, its row in any listing);
- ``council:<pk>``: that council's own pledges (with their totals), adoptions and signals;
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


def _need(need) -> list[str]:
    return [project_tag(need.project_id), LISTING]


def _pledge(pledge) -> list[str]:
    return [project_tag(pledge.project_id), council_tag(pledge.council_id), SUPPORT, TOTALS]


def _pledge_event(event) -> list[str]:
    return _pledge(event.pledge)  # written with its pledge, which is at hand


def _with_council(row) -> list[str]:
    tags = [project_tag(row.project_id), SUPPORT]
    if getattr(row, "council_id", None):
        tags.append(council_tag(row.council_id))
    return tags


def _adoption(adoption) -> list[str]:
    return [*_with_council(adoption), TOTALS]  # the national benefits count adopters


SCOPES = {
    "projects.need": _need,
    "projects.pledge": _pledge,
    "projects.pledgeevent": _pledge_event,
    "projects.pledgedecisionrecord": _pledge_event,  # shown with its pledge, on every page of it
    "projects.teammembership": _with_council,
    "projects.update": _with_council,
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
