"""Pages and API reads for people who are not signed in, served from the shared cache.

Most of Pipeline's traffic is reading by people and tools that are not signed in (the public,
other councils' dashboards, feed readers), and they are all shown the same bytes. Rendering the
busiest project page costs about 100 ms; fetching it from Redis costs well under one.

Correctness comes first:
- One *content version* is stored with every response. Saving or deleting anything a public
  page shows bumps it when the transaction commits, which retires every cached response at once:
  nobody reads an old total after a pledge is accepted. (It is kept in the entry rather than the
  key, so a hit reads the version and the response in one round trip.) ``PAGE_CACHE_SECONDS``
  bounds only what changes with the clock (days left, "no recent activity").
- Except for the busiest writes. An app may *scope* a model (``register_scope``): a change to
  one of its rows then bumps only the versions of the *tags* it names (``project:12``,
  ``council:3``, ``projects:list``…) and of ``any``. A response is stored with the versions of
  the tags its view declared (``depends_on``) as they were before it read anything, and served
  only while they are unchanged; a view that declares nothing depends on ``any``, so it is
  retired by every change, as before. A pledge then retires its project's page, its council's
  and the pages listing either, and the thousands of other pages stay.
- Only GET requests with no session, no other cookie of ours and no ``Authorization`` header;
  only 200 responses that set no cookie, did not use a CSRF token and are not marked private.
- It is on only where the cache is shared by every worker (Redis): a per-process cache could not
  see another worker's version bump. ``PAGE_CACHE_SECONDS = 0`` turns it off.
- It lives in its own cache (``pages``; ``PAGE_CACHE_URL``), so a flood of distinct addresses
  can evict pages but never the rate-limit and sign-in lockout counters; and a cache that is down
  only means every request is rendered (``core.cache`` answers as an empty cache).
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .cache import increment_all

VERSION_KEY = "pipeline:content-version"
TAG_KEY = "pipeline:tag:"
# Bumped by every scoped change: what a response that declared no tags depends on.
ANY = "any"
# Which tags each scoped change touched, by its number (the value ``any`` took), kept briefly.
LOG_KEY = "pipeline:tag-log:"
LOG_SECONDS = 300
MAX_LOG_LOOKUP = 64
# A tag no scoped change bumps: a view showing only what every change retires declares it.
CONTENT_ONLY = "content"
CACHE_ALIAS = "pages"
# What public pages and the API show: saving or deleting a row of these retires every cached
# response. An allow-list, so per-person bookkeeping (follows, notifications, sessions, tokens,
# sign-ins, digests, task and idempotency rows) never empties the cache; and a test classes
# every model of ours as public or private, so a new model cannot be forgotten.
PUBLIC_APPS = frozenset({"cms", "taggit", "wagtaildocs", "wagtailimages", "wagtailredirects"})
PUBLIC_MODELS = frozenset(
    {
        "accounts.user",
        "councils.council",
        "councils.councildomain",
        "councils.membership",  # the home page counts the councils taking part
        "councils.commitment",
        "councils.councilcommitment",  # the council page lists what it signed
        "projects.servicearea",
        "projects.project",
        "projects.project_service_areas",
        "projects.need",
        "projects.pledge",
        "projects.pledgeevent",
        "projects.pledgedecisionrecord",
        "projects.teammembership",
        "projects.update",
        "projects.adoption",
        "projects.demandsignal",
        "delivery.milestone",
        "delivery.statusreport",
        "delivery.reportschedule",
        "delivery.benefit",
        "funding.funder",
        "funding.call",
        "funding.call_service_areas",
        "funding.call_required_commitments",
        "funding.callquestion",
        "funding.criterion",
        "funding.application",  # submitted bids and decisions are open data
        "funding.applicationpartner",
        "wagtailcore.page",
        "wagtailcore.site",
        "wagtailcore.locale",
        "wagtailcore.pageviewrestriction",
        "wagtailcore.collectionviewrestriction",
    }
)
# Models of ours that no public page shows (tests/pipeline/test_pagecache.py checks that every
# model of our apps is in one list or the other). No page counts followers.
PRIVATE_MODELS = frozenset(
    {
        "accounts.user_groups",
        "accounts.user_user_permissions",
        "accounts.tokenterms",  # a token's access and expiry
        "projects.follow",
        "projects.tagfollow",
        "projects.notification",
        "projects.formsubmission",  # one-time form keys
        "core.idempotencykey",  # API retries
        "mail.delivery",  # the email outbox
        "funding.funderdomain",
        "funding.fundermembership",
        "funding.answer",  # a bid's answers are for the funder; its summary is public
        # Scores and conflicts are the funder's; a decision is private until the call's
        # decisions are published, when it is copied onto the (public) application.
        "funding.assessment",
        "funding.score",
        "funding.decision",
        # Seen only by the two lead councils, the funder's moderators and organisers; the
        # combination it leads to changes public rows, which retire the cache themselves.
        "funding.combinesuggestion",
        "jobs.scheduledrun",
        "jobs.workerheartbeat",
    }
)
# Rows in public apps that change no public page: image renditions made while rendering.
QUIET_MODELS = frozenset({"wagtailimages.rendition"})
# A person's row is public only for the name that pages show (get_full_name falls back to the
# email address, and names a deleted account "a former officer"); signing in, a new password
# or email preferences are not.
PUBLIC_FIELDS = {"accounts.user": ("first_name", "last_name", "email", "is_active", "deleted_at")}
# Cookies that do not make a response personal: the CSRF cookie (a page using the token is
# never stored) and the language choice (the language is part of the key).
NEUTRAL_COOKIES = frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})
NOT_STORED = ("private", "no-store", "no-cache")
# Saving a draft in Wagtail writes only these on the live page's row.
DRAFT_FIELDS = frozenset(
    {
        "wagtail_admin_comments",
        "latest_revision_created_at",
        "draft_title",
        "latest_revision",
        "has_unpublished_changes",
    }
)


def is_public(label: str) -> bool:
    """Whether rows of this model (``app_label.model_name``) appear on public pages."""
    app_label = label.split(".", 1)[0]
    return (label in PUBLIC_MODELS or app_label in PUBLIC_APPS) and label not in QUIET_MODELS


def _cache():
    return caches[CACHE_ALIAS]


def content_version() -> int | None:
    """The current content version; None when the cache does not answer."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # Milliseconds, so a version lost from the cache never comes back as an older number
        # whose pages might still be stored.
        cache.add(VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def content_changed() -> None:
    """Retire every cached response once the current transaction commits (robust: whatever the
    cache does must not turn a saved write into an error, nor stop the callbacks after it)."""
    transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    # Milliseconds for a version that is not there, as in ``content_version``.
    increment_all(_cache(), [VERSION_KEY], int(time.time() * 1000))


# --- scoped changes ---------------------------------------------------------------------------

# label -> function(instance) giving the tags a change to that row touches, or None for "retire
# everything" (say, a row whose scope cannot be told).
_SCOPES: dict[str, Callable[[object], Iterable[str] | None]] = {}
# The tags the response being rendered depends on (None outside the middleware).
_declared: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "pipeline_pagecache_tags", default=None
)


def register_scope(label: str, tags: Callable[[object], Iterable[str] | None]) -> None:
    """Changes to rows of ``label`` bump only ``tags(instance)`` (and ``any``), not every page.

    Only for models whose every appearance on a public page is covered by those tags: a view
    showing such a row either declares the tag or declares nothing (then ``any`` retires it)."""
    _SCOPES[label] = tags


def depends_on(*tags: str) -> None:
    """The response being rendered shows what these tags name, and nothing else that a scoped
    change could alter (anything else changing bumps the content version, as ever). Declaring
    no tag at all leaves the response on ``any``."""
    declared = _declared.get()
    if declared is not None:
        declared.update(tags)


def _tag_key(tag: str) -> str:
    return f"{TAG_KEY}{tag}"


def tags_changed(tags: Iterable[str]) -> None:
    """Retire the responses that depend on any of ``tags`` once the transaction commits.

    A write saves several scoped rows (a pledge, its event, its decision record), each naming
    the same tags: they are gathered on the connection and bumped once, at the first callback
    to run, which is one change for readers rather than three. Every call still registers its
    own callback, so a tag noted inside a savepoint that rolled back (its callback dropped) is
    bumped by a later one; a tag from a transaction that rolled back whole is bumped with the
    next: one needless bump, never a missing one."""
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("pipeline_pending_tags", set())
    pending.update(set(tags) - {ANY})
    transaction.on_commit(lambda: _bump_pending(connection), robust=True)


def _bump_pending(connection) -> None:
    pending = connection.__dict__.get("pipeline_pending_tags")
    if pending:
        tags = sorted(pending)
        pending.clear()
        _bump_tags(tags)


def _bump_tags(tags: list[str]) -> None:
    """``any`` first, with a note of which tags this change touched (``LOG_KEY``), then the
    tags, all together: a response rendered meanwhile sees ``any`` move and, from the note,
    whether the change was one it shows (``_changed_meanwhile``). Three round trips to Redis
    whatever the number of tags. A tag that is not there starts above anything stored before
    (milliseconds, as ``content_version``)."""
    cache, start = _cache(), int(time.time() * 1000)
    numbers = increment_all(cache, [_tag_key(ANY)], start)
    if not numbers:  # the cache does not answer: nothing stored can be served either
        return
    cache.set(f"{LOG_KEY}{numbers[0]}", tags, LOG_SECONDS)
    if tags:
        increment_all(cache, [_tag_key(tag) for tag in tags], start)


def _changed_meanwhile(tags: set[str], before: int, after: int) -> bool:
    """Whether a scoped change numbered after ``before`` up to ``after`` touched ``tags`` (yes
    when unsure: too many changes, or a note lost)."""
    if after == before:
        return False
    if ANY in tags or not 0 < after - before <= MAX_LOG_LOOKUP:
        return True
    keys = [f"{LOG_KEY}{n}" for n in range(before + 1, after + 1)]
    notes = _cache().get_many(keys)
    return len(notes) < len(keys) or any(tags & set(note) for note in notes.values())


def _tag_versions(tags: Iterable[str]) -> dict[str, int] | None:
    """The current version of each tag (a missing one is started); None if the cache is down."""
    found = _versions(tags, content=False)
    return None if found is None else found[1]


def _versions(tags: Iterable[str], *, content: bool) -> tuple[int | None, dict[str, int]] | None:
    """The content version (if ``content``) and each tag's, read in one round trip (a missing
    one is started); None if the cache is down."""
    cache = _cache()
    keys = {_tag_key(t): t for t in tags}
    found = cache.get_many([*keys, VERSION_KEY] if content else list(keys))
    version = found.pop(VERSION_KEY, None)
    if content and version is None:
        version = content_version()
        if version is None:
            return None
    for key in keys.keys() - found.keys():
        cache.add(key, int(time.time() * 1000), timeout=None)
        value = cache.get(key)
        if value is None:
            return None
        found[key] = value
    return version, {keys[k]: v for k, v in found.items()}


def change_mark() -> int | None:
    """Where the scoped changes stand now: take it *before* reading rows whose parts are then
    kept under ``part_versions(…, since=mark)``, so rows read before a change are not kept under
    the version that follows it."""
    found = _tag_versions([ANY])
    return found[ANY] if found else None


def _changed_tags_since(since: int, now: int) -> set[str] | None:
    """The tags scoped changes numbered after ``since`` touched; None when unsure."""
    if now == since:
        return set()
    if not 0 < now - since <= MAX_LOG_LOOKUP:
        return None
    keys = [f"{LOG_KEY}{n}" for n in range(since + 1, now + 1)]
    notes = _cache().get_many(keys)
    if len(notes) < len(keys):
        return None
    return {tag for note in notes.values() for tag in note}


def part_versions(keyed: dict, *, shared: Iterable[str] = (), since: int | None = -1) -> dict:
    """For each key, a version string of the tags it names (and ``shared`` tags, and the
    content version), in one round trip: the key of a page part kept in the cache
    (``{% cache PART_CACHE_SECONDS name … version using="pages" %}``), which changes whenever
    what the part shows may have. Signed-in readers get the parts too; a part must hold
    nothing personal. Empty strings (not kept) when the cache does not answer, or, given
    ``since`` (``change_mark``), for keys whose tags changed after it. Without ``since`` the
    caller reads this before it reads what the part shows."""
    tags = {t for ts in keyed.values() for t in ts} | set(shared) | {ANY}
    versions = _versions(tags, content=True)
    if versions is None or since is None:
        return dict.fromkeys(keyed, "")
    version, found = versions
    changed = _changed_tags_since(since, found[ANY]) if since != -1 else set()
    common = [str(version), *(f"{t}={found[t]}" for t in sorted(shared))]
    return {
        key: (
            ""
            if changed is None or changed & {*ts, *shared}
            else ":".join([*common, *(f"{t}={found[t]}" for t in sorted(ts))])
        )
        for key, ts in keyed.items()
    }


def part_version(*tags: str) -> str:
    """``part_versions`` for one part."""
    return part_versions({None: tags})[None]


def cached_part(name: str, version: str, compute: Callable[[], object]):
    """``compute()``, kept in the pages cache under ``version`` (``part_version``) for
    ``PART_CACHE_SECONDS``: data that many pages show and that costs queries to gather (the
    home page's national figures). Computed afresh when the cache does not answer."""
    seconds = settings.PART_CACHE_SECONDS
    if not seconds or not version:
        return compute()
    key = f"pipeline:part:{name}:{hashlib.sha256(version.encode()).hexdigest()}"
    cache = _cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached_rows(rows: list, *, prefix: str, version_of, render, load=None) -> list:
    """``[render(row) for row in rows]``, each kept in the pages cache under ``prefix`` and
    ``version_of(row)`` (a ``part_versions`` string; empty means "do not keep"), read and
    written in one round trip each: a listing's rows as the API serialises them. ``load``, given
    the rows not in the cache, returns what to render for each, in order (None for a row to
    leave out): so a listing need read whole rows only for those."""
    seconds = settings.PART_CACHE_SECONDS
    keys = []
    for row in rows:
        version = version_of(row) if seconds else ""
        digest = hashlib.sha256(f"{prefix}\n{version}".encode()).hexdigest() if version else ""
        keys.append(f"pipeline:row:{digest}" if digest else None)
    cache = _cache()
    wanted = [k for k in keys if k]
    found = cache.get_many(wanted) if wanted else {}
    missing = [i for i, key in enumerate(keys) if (found.get(key) if key else None) is None]
    loaded = load([rows[i] for i in missing]) if load else [rows[i] for i in missing]
    whole = dict(zip(missing, loaded, strict=True))
    out, fresh = [], {}
    for i, key in enumerate(keys):
        value = found.get(key) if key else None
        if value is None:
            if whole[i] is None:
                continue
            value = render(whole[i])
            if key:
                fresh[key] = value
        out.append(value)
    if fresh:
        cache.set_many(fresh, seconds)
    return out


def _public_values(instance) -> tuple:
    return tuple(getattr(instance, name) for name in PUBLIC_FIELDS[instance._meta.label_lower])


def _before_save(sender, instance, update_fields=None, **kwargs) -> None:
    """For models public only in some fields, note whether a whole-row save changes them."""
    if instance._state.adding or update_fields is not None:
        return
    fields = PUBLIC_FIELDS[sender._meta.label_lower]
    stored = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    instance._pipeline_public_changed = stored != _public_values(instance)


def _on_change(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or not is_public(meta.label_lower):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: the post_ signal follows
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= DRAFT_FIELDS:
        return  # a Wagtail draft: the live page is unchanged
    if meta.label_lower in PUBLIC_FIELDS and "created" in kwargs:  # post_save
        if kwargs["created"]:
            return  # a new account appears on no public page
        if update_fields is not None:
            if not set(update_fields) & set(PUBLIC_FIELDS[meta.label_lower]):
                return  # a sign-in, a new password, email preferences
        elif not getattr(kwargs["instance"], "_pipeline_public_changed", True):
            return
    scope = _SCOPES.get(meta.label_lower)
    instance = kwargs.get("instance")
    if scope is not None and instance is not None and "action" not in kwargs:
        tags = scope(instance)
        if tags is not None:
            tags_changed(tags)
            return
    content_changed()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"core.pagecache.{id(signal)}")
    for label in PUBLIC_FIELDS:
        pre_save.connect(
            _before_save, sender=label, dispatch_uid=f"core.pagecache.pre_save.{label}"
        )


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and not (set(request.COOKIES) - NEUTRAL_COOKIES)
        and not request.path.startswith(("/cms-admin/", "/healthz"))
    )


def _key(request: HttpRequest) -> str:
    api = request.path.startswith("/api/")
    parts = "\n".join(
        (
            request.scheme,
            request.get_host().lower(),
            get_language() or "",
            request.META.get("HTTP_ACCEPT", "") if api else "",  # only the API negotiates
            request.get_full_path(),
        )
    )
    return f"pipeline:page:{hashlib.sha256(parts.encode()).hexdigest()}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "modified", False)
        and not any(word in cache_control for word in NOT_STORED)
    )


class AnonymousPageCacheMiddleware:
    """Goes after LocaleMiddleware (the language is in the key) and before everything that
    adds the response's own headers, so a stored response keeps them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not _cacheable(request):
            return self.get_response(request)
        key = _key(request)
        found = _cache().get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = content_version()
            if version is None:  # the cache does not answer (core.cache): render every request
                return self.get_response(request)
        stored = found.get(key)
        if (
            stored is not None
            and len(stored) == 5
            and stored[4] == version
            and self._fresh(stored[3])
        ):
            status, headers, content, _tags, _version = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            state = "hit"
        else:
            response, state = self._render(request, key, version, seconds)
        if state and settings.PAGE_CACHE_HEADER:
            response["X-Page-Cache"] = state
        # Shared caches downstream must not give this to someone signed in.
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response

    @staticmethod
    def _fresh(tags: dict[str, int]) -> bool:
        return _tag_versions(tags) == tags

    def _render(self, request: HttpRequest, key: str, version: int, seconds: int):
        """Render, noting the tags the view declares; store the response only if no change to
        those tags was committed while it rendered (it might or might not show it). It is
        stored with the content ``version`` read before rendering, so a change to anything
        committed meanwhile retires it too."""
        before = _tag_versions([ANY])
        declared: set[str] = set()
        token = _declared.set(declared)
        try:
            response = self.get_response(request)
        finally:
            _declared.reset(token)
        if before is None or not _storable(request, response):
            return response, None
        tags = set(declared) or {ANY}
        versions = _tag_versions(tags | {ANY})
        if versions is None or _changed_meanwhile(tags, before[ANY], versions[ANY]):
            return response, "miss"
        entry = (
            response.status_code,
            list(response.items()),
            response.content,
            {tag: versions[tag] for tag in tags},
            version,
        )
        _cache().set(key, entry, seconds)
        return response, "miss"
