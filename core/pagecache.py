"""Pages and API reads for people who are not signed in, served from the shared cache.

Most of Pipeline's traffic is reading by people and tools that are not signed in (the public,
other councils' dashboards, feed readers), and they are all shown the same bytes. Rendering the
busiest project page costs about 100 ms; fetching it from Redis costs well under one.

Correctness comes first:
- One *content version* is part of every key. Saving or deleting anything a public page shows
  bumps it when the transaction commits, which retires every cached response at once: nobody
  reads an old total after a pledge is accepted. ``PAGE_CACHE_SECONDS`` bounds only what changes
  with the clock (days left, "no recent activity").
- Only GET requests with no session, no other cookie of ours and no ``Authorization`` header;
  only 200 responses that set no cookie, did not use a CSRF token and are not marked private.
- It is on only where the cache is shared by every worker (Redis): a per-process cache could not
  see another worker's version bump. ``PAGE_CACHE_SECONDS = 0`` turns it off.
- It lives in its own cache (``pages``; ``PAGE_CACHE_URL``), so a flood of distinct addresses
  can evict pages but never the rate-limit and sign-in lockout counters; and a cache that is down
  only means every request is rendered (``core.cache`` answers as an empty cache).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "pipeline:content-version"
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
        "projects.servicearea",
        "projects.project",
        "projects.project_service_areas",
        "projects.need",
        "projects.pledge",
        "projects.pledgeevent",
        "projects.teammembership",
        "projects.update",
        "projects.adoption",
        "projects.demandsignal",
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
        "projects.follow",
        "projects.tagfollow",
        "projects.notification",
        "projects.formsubmission",  # one-time form keys
        "core.idempotencykey",  # API retries
        "mail.delivery",  # the email outbox
        "jobs.scheduledrun",
        "jobs.workerheartbeat",
    }
)
# Rows in public apps that change no public page: image renditions made while rendering.
QUIET_MODELS = frozenset({"wagtailimages.rendition"})
# A person's row is public only for the name that pages show (get_full_name falls back to the
# email address); signing in, a new password or email preferences are not.
PUBLIC_FIELDS = {"accounts.user": ("first_name", "last_name", "email", "is_active")}
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
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there: start afresh, above anything stored before
        cache.set(VERSION_KEY, int(time.time() * 1000), timeout=None)


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


def _key(request: HttpRequest, version: int) -> str:
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
    return f"pipeline:page:{version}:{hashlib.sha256(parts.encode()).hexdigest()}"


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
        version = content_version()
        if version is None:  # the cache does not answer (core.cache): render every request
            return self.get_response(request)
        cache = _cache()
        key = _key(request, version)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            state = "hit"
        else:
            response = self.get_response(request)
            state = "miss"
            if _storable(request, response):
                entry = (response.status_code, list(response.items()), response.content)
                cache.set(key, entry, seconds)
            else:
                state = None
        if state and settings.PAGE_CACHE_HEADER:
            response["X-Page-Cache"] = state
        # Shared caches downstream must not give this to someone signed in.
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response
