"""The mixed run: the site as it is used, all at once.

12 connections share one paced schedule of requests: of every 20, 14 come from readers who are
not signed in (served from the page cache when it has the page), 5 from signed-in council
officers (each with their own session, and their own API token for the API; never from the page
cache) and 1 is a write through the API (a pledge offered, a pledge accepted or declined by the
project's owner, or an update posted to a project that people follow). At the default 110
requests a second that is 5.5 writes a second, every one committed while the readers read.

Latency is measured from sending a request to the end of its response, per class; the report
gives the rate each class reached, its errors, and, for the readers not signed in, how many of
their responses came from the page cache (the ``X-Page-Cache`` header, which the bench's server
sends). The baseline runs on its own at the same pace just before, as the yardstick.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.client import TIMEOUT_SECONDS, HttpError, LoadResult, _check_loopback, read_response

ANON, OFFICER, WRITE = "anonymous", "signed_in", "write"
CLASSES = (ANON, OFFICER, WRITE)
# One round of the schedule: 14 + 5 + 1 = 20 requests (70%, 25%, 5%), interleaved.
PATTERN = (
    ANON, OFFICER, ANON, ANON, OFFICER, ANON, ANON, ANON, OFFICER, ANON,
    WRITE, ANON, OFFICER, ANON, ANON, ANON, OFFICER, ANON, ANON, ANON,
)  # fmt: skip
assert Counter(PATTERN) == {ANON: 14, OFFICER: 5, WRITE: 1}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    kind: str = ""  # what it is, for the report
    owner_token: str = ""  # a pledge offer: who may decide it later in the run


@dataclass
class ClassResult(LoadResult):
    hits: int = 0
    misses: int = 0
    kinds: Counter = field(default_factory=Counter)
    missed_kinds: Counter = field(default_factory=Counter)  # which pages the cache lacked


def _weighted(rng: random.Random, items: list[tuple[float, object]]):
    total = 0.0
    cumulative = []
    for weight, _item in items:
        total += weight
        cumulative.append(total)
    return items[bisect.bisect(cumulative, rng.random() * total)][1]


def _zipf(rng: random.Random, seq: list, s: float = 1.0):
    """An item of ``seq`` (busiest first), the first ones far more often: readers go where
    the activity is."""
    weights = [1 / (i + 1) ** s for i in range(len(seq))]
    return rng.choices(seq, weights=weights)[0]


class Workload:
    """The requests of each class, drawn from the bench data set (``prepare``)."""

    def __init__(self, plan: dict, seed: int = 2026):
        self.plan = plan
        self.rng = random.Random(seed)  # noqa: S311 - a load pattern, not a secret
        self.offered: list[tuple[int, str]] = list(plan["offered_pledges"])  # (pk, owner token)
        self.write_kinds = itertools.cycle(("offer", "decision", "offer", "update", "decision"))

    def anonymous(self) -> Request:
        p, rng = self.plan, self.rng
        choice = _weighted(
            rng,
            [
                (10, lambda: "/"),
                (10, lambda: "/projects/"),
                (5, lambda: p["filtered_listing"]),
                (5, lambda: p["deep_listing"]),
                (35, lambda: f"/projects/{_zipf(rng, p['projects'])}/"),
                (15, lambda: f"/councils/{_zipf(rng, p['councils'])}/"),
                (8, lambda: "/api/v1/projects/"),
                (4, lambda: "/api/v1/projects/?phase=beta&needs=money"),
                (4, lambda: f"/api/v1/pledges/?project={_zipf(rng, p['projects'][:50])}"),
                (4, lambda: "/api/v1/councils/"),
            ],
        )
        path = choice()
        return Request("GET", path, kind=_kind(path))

    def officer(self) -> Request:
        p, rng = self.plan, self.rng
        officer = rng.choice(p["officers"])
        session = {"Cookie": f"{p['session_cookie']}={officer['session']}"}
        token = {"Authorization": f"Bearer {officer['token']}"}
        choice = _weighted(
            rng,
            [
                (10, lambda: ("/", session)),
                (15, lambda: ("/projects/", session)),
                (30, lambda: (f"/projects/{_zipf(rng, p['projects'])}/", session)),
                (8, lambda: (f"/councils/{officer['council']}/", session)),
                (7, lambda: (f"/councils/{_zipf(rng, p['councils'])}/", session)),
                (10, lambda: ("/my-pipeline/", session)),
                (10, lambda: ("/api/v1/projects/", token)),
                (10, lambda: (f"/api/v1/pledges/?project={_zipf(rng, p['projects'][:50])}", token)),
            ],
        )
        path, headers = choice()
        return Request("GET", path, headers=dict(headers), kind=_kind(path))

    def write(self) -> Request:
        p, rng = self.plan, self.rng
        kind = next(self.write_kinds)
        if kind == "decision" and not self.offered:
            kind = "offer"
        if kind == "decision":
            pk, owner_token = self.offered.pop(rng.randrange(len(self.offered)))
            action = "accept" if rng.random() < 0.7 else "decline"
            return _post(f"/api/v1/pledges/{pk}/{action}/", owner_token, {}, f"pledge {action}")
        if kind == "update":
            target = rng.choice(p["followed_targets"])
            body = {"title": "Sprint review", "body": "We tested the **new** form with residents."}
            return _post(
                f"/api/v1/projects/{target['slug']}/updates/", target["owner_token"], body, "update"
            )
        target = rng.choice(p["targets"])
        pledger = rng.choice([o for o in p["officers"] if o["council_code"] != target["lead"]])
        body = {
            "project": target["slug"],
            "council": pledger["council_code"],
            "kind": "money",
            "amount_pence": rng.randint(1, 40) * 50_000,
        }
        request = _post("/api/v1/pledges/", pledger["token"], body, "pledge offer")
        request.owner_token = target["owner_token"]
        return request

    def anonymous_paths(self) -> list[str]:
        """Every address the readers who are not signed in may ask for."""
        p = self.plan
        return [
            "/",
            "/projects/",
            p["filtered_listing"],
            p["deep_listing"],
            *(f"/projects/{slug}/" for slug in p["projects"]),
            *(f"/councils/{slug}/" for slug in p["councils"]),
            "/api/v1/projects/",
            "/api/v1/projects/?phase=beta&needs=money",
            *(f"/api/v1/pledges/?project={slug}" for slug in p["projects"][:50]),
            "/api/v1/councils/",
        ]

    def next(self, klass: str) -> Request:
        return {ANON: self.anonymous, OFFICER: self.officer, WRITE: self.write}[klass]()

    def offered_pledge(self, request: Request, body: bytes) -> None:
        """A pledge just offered can be decided later in the run."""
        owner = request.owner_token
        if owner:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.offered.append((json.loads(body)["id"], owner))


def _kind(path: str) -> str:
    if path.startswith("/api/"):
        return "api " + path.split("?")[0].split("/")[3]
    if path.startswith("/projects/") and path.count("/") > 2 and "?" not in path:
        return "project page"
    if path.startswith("/councils/"):
        return "council page"
    if path.startswith("/projects/"):
        return "listing"
    return "home" if path == "/" else path.strip("/")


def _post(path: str, token: str, body: dict, kind: str) -> Request:
    return Request(
        "POST",
        path,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body=json.dumps(body).encode(),
        kind=kind,
    )


def _encode(host: str, port: int, request: Request) -> bytes:
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "User-Agent: pipeline-bench",
        "Accept: */*",
        "Connection: keep-alive",
        *(f"{name}: {value}" for name, value in request.headers.items()),
    ]
    if request.method != "GET":
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


async def run(
    host: str,
    port: int,
    workload: Workload | None,
    *,
    rate: float,
    seconds: float,
    connections: int = 12,
    only: Request | None = None,
    only_class: str | None = None,
) -> dict[str, ClassResult]:
    """Send the schedule (``rate`` requests a second, classes by ``PATTERN``) for ``seconds``
    over ``connections`` connections; or, with ``only``, that one request at the same pace
    (the baseline)."""
    _check_loopback(host)
    results = {k: ClassResult(path=k) for k in CLASSES}
    slots = itertools.count()
    started = time.perf_counter()
    deadline = started + seconds

    async def connection_loop() -> None:
        reader = writer = None
        while True:
            n = next(slots)
            due = started + n / rate
            if due >= deadline or time.perf_counter() >= deadline:
                break  # a server behind the schedule is not waited for: its rate shows it
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            klass = only_class or (PATTERN[n % len(PATTERN)] if only is None else ANON)
            request = only if only is not None else workload.next(klass)
            result = results[klass]
            result.requests += 1
            result.kinds[request.kind] += 1
            t0 = time.perf_counter()
            keep_alive = False
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(_encode(host, port, request))
                await writer.drain()
                status, headers, body, keep_alive = await asyncio.wait_for(
                    read_response(reader), TIMEOUT_SECONDS
                )
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                result.errors[type(exc).__name__] += 1
            except (TimeoutError, HttpError) as exc:
                result.errors[type(exc).__name__] += 1
            else:
                ms = (time.perf_counter() - t0) * 1000
                result.bytes_received += len(body)
                if 200 <= status < 300:
                    result.latencies_ms.append(ms)
                    if klass == WRITE and workload is not None:
                        workload.offered_pledge(request, body)
                else:
                    result.errors[f"HTTP {status} ({request.kind})"] += 1
                state = headers.get("x-page-cache")
                if state == "hit":
                    result.hits += 1
                elif state == "miss":
                    result.misses += 1
                    result.missed_kinds[request.kind] += 1
            if not keep_alive and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    for result in results.values():
        result.seconds = elapsed
    return results


async def warm(host: str, port: int, paths: list[str], *, connections: int = 12) -> int:
    """Ask for each of ``paths`` once, as a running site's readers would have: the page cache
    then holds what it holds between changes. Returns how many did not answer 200."""
    _check_loopback(host)
    queue = list(reversed(paths))
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while queue:
            path = queue.pop()
            try:
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(_encode(host, port, Request("GET", path)))
                await writer.drain()
                status, _h, _b, _k = await asyncio.wait_for(read_response(reader), TIMEOUT_SECONDS)
                writer.close()
            except (OSError, TimeoutError, HttpError, asyncio.IncompleteReadError):
                status = 0
            failures += status != 200

    await asyncio.gather(*(worker() for _ in range(connections)))
    return failures


def summary(result: ClassResult) -> dict:
    out = {
        "requests": result.requests,
        "ok": len(result.latencies_ms),
        "errors": result.error_count,
        "error_kinds": dict(result.errors),
        "rps": round(result.requests_per_second, 1),
        "p50_ms": round(result.percentile(50), 1),
        "p95_ms": round(result.percentile(95), 1),
        "p99_ms": round(result.percentile(99), 1),
        "by_kind": dict(result.kinds),
    }
    if result.hits or result.misses:
        out["page_cache_hits"] = result.hits
        out["page_cache_misses"] = result.misses
        out["page_cache_misses_by_kind"] = dict(result.missed_kinds)
        out["page_cache_hit_ratio"] = round(result.hits / (result.hits + result.misses), 3)
    return out


# --- preparing (in the bench process, on the bench database, before the server starts) -------


def prepare(endpoints: list[dict], *, officers: int = 24, targets: int = 60) -> dict:
    """Who reads and writes, and where: the busiest projects and councils (readers go where
    the activity is), officers of the busiest councils each with a session and an API token,
    open projects to pledge to with their owners' tokens, and the pledges waiting for a
    decision on them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count, Q
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from accounts.services import api_token_create
    from councils.models import Council, Membership, MembershipStatus
    from projects.models import Follow, Pledge, PledgeState, Project, State

    rng = random.Random(7)  # noqa: S311 - a load pattern, not a secret
    session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    by_key = {e["key"]: e for e in endpoints}
    busiest = list(
        Project.objects.visible()
        .annotate(n=Count("pledges"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)[:300]
    )
    councils = list(
        Council.objects.annotate(n=Count("pledges")).order_by("-n", "pk").values_list("pk", "slug")
    )[:150]
    tokens: dict[int, str] = {}

    def token_for(user) -> str:
        if user.pk not in tokens:
            tokens[user.pk] = api_token_create(user=user, name="bench")[1]
        return tokens[user.pk]

    people = []
    for council_pk, council_slug in councils[:officers]:
        membership = (
            Membership.objects.filter(council_id=council_pk, status=MembershipStatus.VERIFIED)
            .select_related("user", "council")
            .order_by("pk")
            .first()
        )
        if membership is None:
            continue
        user = membership.user
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append(
            {
                "session": session.session_key,
                "token": token_for(user),
                "council": council_slug,
                "council_code": membership.council.code,
            }
        )
    today = timezone.localdate()
    open_projects = list(
        Project.objects.visible()
        .filter(state=State.SEEKING_SUPPORT)
        .filter(Q(pledging_deadline__isnull=True) | Q(pledging_deadline__gte=today))
        .filter(slug__in=busiest[:200] + list(_sample_slugs(rng)))
        .select_related("owner", "lead_council")
    )
    rng.shuffle(open_projects)
    chosen = []
    for project in open_projects[:targets]:
        chosen.append(
            {
                "pk": project.pk,
                "slug": project.slug,
                "lead": project.lead_council.code,
                "owner_token": token_for(project.owner),
            }
        )
    owner_of = {t["pk"]: t["owner_token"] for t in chosen}
    offered = [
        (pk, owner_of[project_id])
        for pk, project_id in Pledge.objects.filter(
            project_id__in=owner_of, state=PledgeState.OFFERED
        ).values_list("pk", "project_id")[:2000]
    ]
    followed = set(
        Follow.objects.filter(project_id__in=owner_of).values_list("project_id", flat=True)
    )
    return {
        "projects": busiest,
        "councils": [slug for _pk, slug in councils],
        "filtered_listing": by_key["projects_filtered"]["path"],
        "deep_listing": by_key["projects_deep"]["path"],
        "officers": people,
        "targets": chosen,
        "followed_targets": [t for t in chosen if t["pk"] in followed] or chosen,
        "offered_pledges": offered,
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }


def _sample_slugs(rng: random.Random) -> list[str]:
    """Some open projects away from the busiest, so writes are not all on the busiest pages."""
    from projects.models import Project, State

    slugs = list(
        Project.objects.visible()
        .filter(state=State.SEEKING_SUPPORT, pledging_deadline__isnull=True)
        .order_by("pk")
        .values_list("slug", flat=True)
    )
    return rng.sample(slugs, min(200, len(slugs)))
