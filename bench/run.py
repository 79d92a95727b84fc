"""``python -m bench``: build the national data set, serve it with gunicorn, load it, judge it."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import html
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results.json"
HOST = "127.0.0.1"
WORKERS = 2
NEXT_LINK = re.compile(r'href="([^"]+)" rel="next"')
MISS_SAMPLES = 5
SIGNED_IN_SAMPLES = 9


class BenchError(Exception):
    """Something that stops the bench before it can judge anything; the message says what."""


def _bench_database_url(url: str | None, name: str) -> str:
    if not url:
        raise BenchError(
            "make bench needs PostgreSQL: set DATABASE_URL, for example\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pipeline make bench\n"
            f"It creates (and replaces) a database named '{name}' on that server; the database "
            "named in the URL is not touched."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(
            f"make bench needs PostgreSQL, but DATABASE_URL is {parts.scheme}://…; point it at "
            "a PostgreSQL server (postgres://user@host:port/db)."
        )
    if parts.path.lstrip("/") == name:
        raise BenchError(
            f"DATABASE_URL names the bench database '{name}' itself; point it at another "
            "database on the same server (the bench drops and recreates its own)."
        )
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    try:
        conn = psycopg.connect(
            dbname="postgres",
            user=cfg.get("USER") or None,
            password=cfg.get("PASSWORD") or None,
            host=cfg.get("HOST") or None,
            port=cfg.get("PORT") or None,
            connect_timeout=5,
            autocommit=True,
        )
    except psycopg.OperationalError as exc:
        raise BenchError(f"Cannot reach PostgreSQL from DATABASE_URL: {exc}".strip()) from exc
    with conn:
        name = sql.Identifier(cfg["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    except OSError:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- preparing: database, data, URLs, query counts -------------------------------------------


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "pipeline.settings.bench"
    import django

    django.setup()


def _empty_cache() -> None:
    """The bench's Redis database, emptied so no page from an earlier run is served."""
    from django.conf import settings
    from django.core.cache import cache, caches

    try:
        cache.clear()  # one Redis database for both caches: this empties the pages too
        caches["pages"].clear()
        cache.set("bench:ping", 1, 10)
        ok = cache.get("bench:ping") == 1
    except Exception as exc:  # noqa: BLE001 - any client error means the same thing here
        raise BenchError(
            f"make bench needs Redis, as production has: cannot use "
            f"{settings.CACHES['default']['LOCATION']} ({exc}). Set BENCH_CACHE_URL."
        ) from exc
    if not ok:
        raise BenchError("Redis answered, but did not keep a value; check BENCH_CACHE_URL.")


def _page_cache_seconds() -> int:
    from django.conf import settings

    return settings.PAGE_CACHE_SECONDS


def _check_ledger(log) -> dict:
    from projects.ledger import check_ledger

    started = time.perf_counter()
    mismatches = check_ledger()
    for m in mismatches[:10]:
        log(f"    ledger: {m}")
    return {
        "mismatches": len(mismatches),
        "seconds": round(time.perf_counter() - started, 1),
        "scope": "every pledge, event, need and project (full check_ledger)",
    }


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _endpoints(deep_api_pages: int, log) -> tuple[list[dict], dict]:
    """The endpoints to measure, with the URLs of the busiest things found in the data."""
    from django.db.models import Count, F, Q
    from django.test import Client

    from bench import budgets
    from councils.models import Council
    from projects.models import Project
    from projects.selectors import project_list
    from projects.views.pages import LIST_PAGE_SIZE

    # The busiest project and council, and for "queries constant whatever the size" the
    # quietest ones that still have something in every list (an empty list skips a prefetch).
    visible = Project.objects.visible()
    projects = visible.annotate(n=Count("pledges"))
    busiest_project = projects.order_by("-n", "pk").first()
    quiet_project = projects.filter(n__gt=0).order_by("n", "pk").first()
    councils = Council.objects.annotate(
        pledge_n=Count("pledges", distinct=True),
        led_n=Count("projects_led", filter=Q(projects_led__in=visible), distinct=True),
    ).annotate(n=F("pledge_n") + F("led_n"))
    busiest_council = councils.order_by("-n", "pk").first()
    quiet_council = councils.filter(pledge_n__gt=0, led_n__gt=0).order_by("n", "pk").first()
    html_pages = max(1, math.ceil(project_list().count() / LIST_PAGE_SIZE))
    deep_html_page = max(1, html_pages - 1)
    client = Client()

    # The listing's deep page: follow Next from the first page, as a reader would.
    html_url, page = "/projects/", 1
    while page < deep_html_page:
        found = NEXT_LINK.search(client.get(html_url).content.decode())
        if found is None:
            break
        html_url, page = "/projects/" + html.unescape(found.group(1)), page + 1
    deep_html_page = page

    # The API's deep page: follow `next` from the first page, as a client would.
    url, pages = "/api/v1/projects/", 1
    while pages < deep_api_pages:
        following = client.get(url).json()["next"]
        if following is None:
            break
        nxt = client.get(_path_of(following)).json()["next"]
        if nxt is None and pages > 1:  # keep a full page, not a short last one
            break
        url, pages = _path_of(following), pages + 1
    facts = {
        "busiest_project": {"slug": busiest_project.slug, "pledges": busiest_project.n},
        "quiet_project": {"slug": quiet_project.slug, "pledges": quiet_project.n},
        "busiest_council": {
            "slug": busiest_council.slug,
            "pledges_and_projects": busiest_council.n,
        },
        "quiet_council": {"slug": quiet_council.slug, "pledges_and_projects": quiet_council.n},
        "html_listing_pages": html_pages,
        "html_deep_page": deep_html_page,
        "api_deep_page": pages,
    }
    log(f"  targets: {json.dumps(facts)}")
    b = budgets
    e = [
        ("home", "home page /", "/", b.HOME, None),
        ("projects_first", "/projects/ first page", "/projects/", b.HTML_LISTING, None),
        (
            "projects_filtered",
            "/projects/ filtered",
            "/projects/?phase=beta&needs=money",
            b.HTML_LISTING,
            None,
        ),
        (
            "projects_deep",
            f"/projects/ page {deep_html_page} of {html_pages}",
            html_url,
            b.HTML_LISTING,
            None,
        ),
        (
            "project_page",
            f"busiest project page ({busiest_project.n} pledges)",
            f"/projects/{busiest_project.slug}/",
            b.PROJECT_PAGE,
            f"/projects/{quiet_project.slug}/",
        ),
        (
            "council_page",
            "busiest council page",
            f"/councils/{busiest_council.slug}/",
            b.COUNCIL_PAGE,
            f"/councils/{quiet_council.slug}/",
        ),
        ("api_first", "/api/v1/projects/ first page", "/api/v1/projects/", b.API_PROJECTS, None),
        (
            "api_filtered",
            "/api/v1/projects/ filtered",
            "/api/v1/projects/?phase=beta&needs=money",
            b.API_PROJECTS,
            None,
        ),
        ("api_deep", f"/api/v1/projects/ cursor page {pages}", url, b.API_PROJECTS, None),
        (
            "api_pledges",
            "/api/v1/pledges/?project=busiest",
            f"/api/v1/pledges/?project={busiest_project.slug}",
            b.API_LIST,
            f"/api/v1/pledges/?project={quiet_project.slug}",
        ),
        ("api_councils", "/api/v1/councils/", "/api/v1/councils/", b.API_LIST, None),
        ("baseline", "baseline (1 raw SQL query)", "/bench/baseline/", b.BASELINE, None),
    ]
    keys = ("key", "label", "path", "group", "small_path")
    return [dict(zip(keys, row, strict=True)) for row in e], facts


def _signed_in_endpoints(facts: dict) -> list[dict]:
    """Pages only a signed-in person is shown as measured here, each with who asks for it: the
    busiest council's portfolio (an officer of the council with most members; the page is
    public, but officers are its readers) and the national portfolio (an organiser). They are
    rendered for the person every time, so they are measured uncached, as signed-in pages are,
    within the council page's budgets; not under anonymous load."""
    from bench import budgets

    busiest, quiet = facts["busiest_council"]["slug"], facts["quiet_council"]["slug"]
    e = [
        (
            "council_portfolio",
            "busiest council's portfolio",
            f"/councils/{busiest}/portfolio/",
            budgets.COUNCIL_PAGE,
            f"/councils/{quiet}/portfolio/",
            "officer",
        ),
        (
            "national_portfolio",
            "national portfolio (organiser)",
            "/portfolio/",
            budgets.COUNCIL_PAGE,
            f"/portfolio/?lead_council={quiet}",
            "organiser",
        ),
    ]
    keys = ("key", "label", "path", "group", "small_path", "as")
    return [dict(zip(keys, row, strict=True)) for row in e]


def _organiser():
    """An organiser (a member of the Organisers group) with an authenticator app, as every
    organiser needs before using organiser powers; made once in the bench database."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.models import ORGANISERS_GROUP

    user, _created = get_user_model().objects.get_or_create(
        email="bench-organiser@example.com",
        defaults={"first_name": "Bench", "last_name": "Organiser"},
    )
    user.groups.add(Group.objects.get_or_create(name=ORGANISERS_GROUP)[0])
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def _count_signed_in(endpoints: list[dict], log) -> None:
    """Queries of each signed-in endpoint as its person gets it, at the busiest and a quiet
    target, and its render time against the baseline's (``_signed_in_renders``)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {"officer": Client(), "organiser": Client()}
    clients["officer"].force_login(_officer())
    clients["organiser"].force_login(_organiser())

    def count(client, path: str) -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} in the test client")
        return len(ctx.captured_queries)

    for e in endpoints:
        client = clients[e["as"]]
        e["queries"] = count(client, e["path"])
        e["queries_small"] = count(client, e.pop("small_path"))
        log(f"  {e['queries']:>2} queries signed in as {e['as']}  {e['path']}")
    _signed_in_renders(endpoints, log, clients=clients)


def _count_queries(endpoints: list[dict], log) -> None:
    """Queries per request and the time to render each URL with the page cache off (what a
    signed-in reader, or the first reader after a change, waits for), through Django's test
    client on the bench database; then the queries of a cached read, with the cache on."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()

    def count(path: str) -> tuple[int, int, list[str]]:
        client.get(path)  # the first request in a process fills per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} in the test client")
        sqls = [q["sql"] for q in ctx.captured_queries]
        counts = sum(1 for s in sqls if "COUNT(" in s.upper())
        return len(sqls), counts, sqls

    def render_ms(path: str) -> float:
        times = []
        for _ in range(MISS_SAMPLES):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 1)

    with override_settings(PAGE_CACHE_SECONDS=0):
        for e in endpoints:
            e["queries"], e["count_queries"], e["sql"] = count(e["path"])
            small = e.pop("small_path")
            e["queries_small"] = count(small)[0] if small else None
            e["miss_ms"] = render_ms(e["path"])
            log(f"  {e['queries']:>2} queries  {e['miss_ms']:7.1f} ms uncached  {e['path']}")
    for e in endpoints:
        e["hit_queries"] = count(e["path"])[0]
    _signed_in_renders(endpoints, log)


def _officer():
    """A verified member of the council with the most members: an officer, signed in."""
    from django.db.models import Count

    from councils.models import Council, Membership, MembershipStatus

    council = Council.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    membership = (
        Membership.objects.filter(council=council, status=MembershipStatus.VERIFIED)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user


def _signed_in_renders(endpoints: list[dict], log, *, clients: dict | None = None) -> None:
    """Each URL as a signed-in officer gets it (or the person its ``as`` names, from
    ``clients``): never from the page cache, so rendered every time (with the parts of pages
    that are the same for everyone kept in the cache, as in production, so this is the time
    between changes). Samples alternate with the baseline's, so both see the same machine; the
    ratio is the baseline's median over this one's."""
    from django.test import Client

    officer = Client()
    officer.force_login(_officer())
    # The portfolios' list has no baseline of its own: they compare with the same view.
    baseline = next(
        (e for e in endpoints if e["group"] == "baseline"),
        {"group": "baseline", "path": "/bench/baseline/"},
    )

    def once(path: str, client=officer) -> float:
        started = time.perf_counter()
        response = client.get(path)
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} to a signed-in officer")
        return took

    for e in endpoints:
        if e["group"] == "baseline":
            continue
        client = (clients or {}).get(e.get("as"), officer)
        once(e["path"], client)  # the parts this page shares with everyone, as a reader left them
        mine, base = [], []
        for _ in range(SIGNED_IN_SAMPLES):
            base.append(once(baseline["path"]))
            mine.append(once(e["path"], client))
        e["signed_in_ms"] = round(statistics.median(mine), 1)
        e["signed_in_baseline_ms"] = round(statistics.median(base), 1)
        e["signed_in_ratio"] = round(e["signed_in_baseline_ms"] / e["signed_in_ms"], 3)
        log(
            f"  {e['signed_in_ms']:7.1f} ms signed in ({e['signed_in_ratio']:4.0%} of the "
            f"baseline's {e['signed_in_baseline_ms']:.1f} ms)  {e['path']}"
        )


# --- serving and loading ------------------------------------------------------------------


def _start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "pipeline.settings.bench",
        # The mixed run counts the anonymous readers' page-cache hits from this header.
        "PAGE_CACHE_HEADER": "true",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "pipeline.wsgi:application",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--no-control-socket",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command


def _wait_until_up(process: subprocess.Popen, port: int, seconds: float = 60) -> None:
    from bench.client import fetch

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode} before serving")
        try:
            status, _body = asyncio.run(fetch(HOST, port, "/healthz/live"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer /healthz/live on {HOST}:{port} within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _measure(endpoints: list[dict], port: int, args, log) -> dict:
    """Each endpoint right after a run of the baseline, and its ratio to that run: the machine
    is shared, and what else it is doing changes from minute to minute."""
    from bench.client import load

    def run(path: str, **kwargs):
        return asyncio.run(load(HOST, port, path, **kwargs))

    def measured(path: str, max_requests: int, max_seconds: float):
        run(path, connections=4, max_requests=args.warmup, max_seconds=10)
        return run(
            path,
            connections=args.connections,
            max_requests=max_requests,
            max_seconds=max_seconds,
        )

    baseline = next(e for e in endpoints if e["group"] == "baseline")
    baseline_runs = []
    for e in endpoints:
        if e is baseline:
            continue
        base = measured(baseline["path"], args.requests, args.baseline_seconds)
        result = measured(e["path"], args.requests, args.seconds)
        baseline_runs.append(base)
        rps = result.requests_per_second
        base_rps = base.requests_per_second
        e.update(_summary([result]), ratio=round(rps / base_rps, 3) if base_rps else 0.0)
        e["baseline_rps"] = round(base_rps, 1)
        log(
            f"  {rps:7.1f} req/s ({e['ratio']:4.0%} of {base_rps:5.1f})  p50 {e['p50_ms']:6.1f} ms"
            f"  p99 {e['p99_ms']:6.1f} ms  errors {e['errors']}  {e['path']}"
        )
    baseline.update(_summary(baseline_runs), ratio=1.0)
    baseline["rps_runs"] = [round(r.requests_per_second, 1) for r in baseline_runs]
    return {"baseline_rps": baseline["rps"], "baseline_rps_runs": baseline["rps_runs"]}


def _measure_mixed(plan: dict, port: int, args, log) -> dict:
    """The baseline at the mixed run's pace, a warm-up of readers who are not signed in (the
    page cache filled as a running site has it), then the mixed run itself."""
    from bench import mixed

    def run(**kwargs):
        return asyncio.run(mixed.run(HOST, port, connections=args.connections, **kwargs))

    rate, seconds = args.mixed_rate, args.mixed_seconds
    baseline = mixed.Request("GET", "/bench/baseline/", kind="baseline")
    base = run(workload=None, rate=rate, seconds=min(seconds, 15.0), only=baseline)
    base_summary = mixed.summary(base[mixed.ANON])
    log(
        f"  baseline at {rate:.0f} req/s: p50 {base_summary['p50_ms']} ms  p95 "
        f"{base_summary['p95_ms']} ms  p99 {base_summary['p99_ms']} ms"
    )
    workload = mixed.Workload(plan)
    paths = workload.anonymous_paths()
    warm_failures = asyncio.run(mixed.warm(HOST, port, paths, connections=args.connections))
    log(f"  warmed the page cache: {len(paths)} addresses, {warm_failures} not 200")
    results = run(workload=workload, rate=rate, seconds=seconds)
    classes = {k: mixed.summary(v) for k, v in results.items()}
    for klass, summary in classes.items():
        hit = summary.get("page_cache_hit_ratio")
        log(
            f"  {klass:10} {summary['rps']:6.1f} req/s  p50 {summary['p50_ms']:6.1f}  p95 "
            f"{summary['p95_ms']:6.1f}  p99 {summary['p99_ms']:6.1f} ms  errors "
            f"{summary['errors']}" + (f"  page cache hits {hit:.1%}" if hit is not None else "")
        )
        if missed := summary.get("page_cache_misses_by_kind"):
            by_kind = ", ".join(
                f"{kind} {n}" for kind, n in sorted(missed.items(), key=lambda i: -i[1])
            )
            log(f"  {'':10} page cache misses: {by_kind}")
    return {
        "connections": args.connections,
        "target_rps": rate,
        "seconds": seconds,
        "mix": {"anonymous": 0.70, "signed_in": 0.25, "write": 0.05},
        "officers": len(plan["officers"]),
        "write_targets": len(plan["targets"]),
        "baseline": base_summary,
        "warm_up": {"addresses": len(paths), "not_200": warm_failures},
        "classes": classes,
        "writes_per_second": classes[mixed.WRITE]["rps"],
        "anonymous_hit_ratio": classes[mixed.ANON].get("page_cache_hit_ratio", 0.0),
    }


def _summary(results: list) -> dict:
    from bench.client import LoadResult

    merged = LoadResult(path="", latencies_ms=[x for r in results for x in r.latencies_ms])
    return {
        "requests": sum(r.requests for r in results),
        "errors": sum(r.error_count for r in results),
        "error_kinds": dict(sum((r.errors for r in results), Counter())),
        "p50_ms": round(merged.percentile(50), 1),
        "p95_ms": round(merged.percentile(95), 1),
        "p99_ms": round(merged.percentile(99), 1),
        "rps": round(sum(r.requests_per_second for r in results) / len(results), 1),
    }


# --- reporting ----------------------------------------------------------------------------


def table(results: dict) -> str:
    rows = [
        (
            "endpoint",
            "queries",
            "uncached ms",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "req/s",
            "vs baseline",
            "uncached vs baseline",
            "signed-in ms",
            "signed-in vs baseline",
        )
    ]
    base_miss = next(e["miss_ms"] for e in results["endpoints"] if e["key"] == "baseline")
    for e in results["endpoints"]:
        rows.append(
            (
                e["label"],
                str(e["queries"]),
                f"{e['miss_ms']:.1f}",
                f"{e['p50_ms']:.1f}",
                f"{e['p95_ms']:.1f}",
                f"{e['p99_ms']:.1f}",
                f"{e['rps']:.1f}",
                f"{e['ratio']:.0%}",
                f"{base_miss / e['miss_ms']:.0%}",
                f"{e['signed_in_ms']:.1f}" if "signed_in_ms" in e else "",
                f"{e['signed_in_ratio']:.0%}" if "signed_in_ratio" in e else "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def mixed_table(mixed: dict) -> str:
    rows = [("class", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "cache hits")]
    for name, c in [("baseline (alone)", mixed["baseline"]), *mixed["classes"].items()]:
        hit = c.get("page_cache_hit_ratio")
        rows.append(
            (
                name,
                str(c["requests"]),
                f"{c['rps']:.1f}",
                f"{c['p50_ms']:.1f}",
                f"{c['p95_ms']:.1f}",
                f"{c['p99_ms']:.1f}",
                str(c["errors"]),
                f"{hit:.1%}" if hit is not None else "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )
        for r in rows
    )


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "pipeline_bench"))
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=20.0, help="per endpoint, at most")
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=8.0,
        help="baseline run before each endpoint, at most",
    )
    parser.add_argument("--warmup", type=int, default=50, help="requests before each endpoint")
    parser.add_argument("--deep-api-pages", type=int, default=200)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the bench database the last run built (no build, no ledger check)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="data set size (1 = national)")
    parser.add_argument(
        "--mixed-rate", type=float, default=110.0, help="mixed run: requests a second, all classes"
    )
    parser.add_argument("--mixed-seconds", type=float, default=30.0, help="mixed run: how long")
    args = parser.parse_args(argv)
    log = lambda message: print(message, flush=True)  # noqa: E731
    started = time.perf_counter()
    process = None
    try:
        database_url = _bench_database_url(os.environ.get("DATABASE_URL"), args.database)
        results: dict = {
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
            "load": {
                "connections": args.connections,
                "max_requests_per_endpoint": args.requests,
                "max_seconds_per_endpoint": args.seconds,
                "max_seconds_per_baseline_run": args.baseline_seconds,
                "warmup_requests": args.warmup,
            },
        }
        log(f"bench: database '{args.database}' on the DATABASE_URL server")
        t0 = time.perf_counter()
        if not args.reuse:
            _recreate_database(database_url)
        _setup_django(database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        _empty_cache()
        migrate_seconds = round(time.perf_counter() - t0, 1)
        log(f"  database created and migrated in {migrate_seconds} s")

        from bench import budgets, dataset

        if args.reuse:
            report = dataset.BuildReport(seconds=0.0, councils_from="reused")
        else:
            sizes = dataset.Sizes()
            if args.scale != 1.0:
                sizes = dataset.Sizes(
                    **{k: max(1, int(v * args.scale)) for k, v in vars(sizes).items()}
                )
            log("bench: building the national data set")
            report = dataset.build(sizes, log=log)
            log(f"  built in {report.seconds} s: {report.rows}")
        if args.reuse:
            ledger = {"mismatches": None, "seconds": 0.0, "scope": "not checked (--reuse)"}
        else:
            log("bench: checking the ledger against the stored totals")
            ledger = _check_ledger(log)
            log(f"  {ledger['mismatches']} mismatches in {ledger['seconds']} s")
        results["dataset"] = {
            "build_seconds": report.seconds,
            "migrate_seconds": migrate_seconds,
            "steps": report.steps,
            "rows": report.rows,
            "councils_from": report.councils_from,
            "ledger": ledger,
        }

        log("bench: endpoints and queries per request")
        endpoints, facts = _endpoints(args.deep_api_pages, log)
        _count_queries(endpoints, log)
        results["targets"] = facts
        log("bench: signed-in pages (portfolios)")
        results["signed_in_endpoints"] = _signed_in_endpoints(facts)
        _count_signed_in(results["signed_in_endpoints"], log)
        from bench import mixed

        plan = mixed.prepare(endpoints)

        port = _free_port()
        log(f"bench: gunicorn, {WORKERS} sync workers on {HOST}:{port}")
        process = _start_gunicorn(database_url, port)
        _wait_until_up(process, port)
        workers = _children(process.pid)
        log(
            f"bench: {args.connections} connections, ≤ {args.requests} requests or "
            f"{args.seconds:.0f} s per endpoint"
        )
        load_info = _measure(endpoints, port, args, log)
        log(
            f"bench: mixed load, {args.connections} connections at {args.mixed_rate:.0f} req/s "
            f"for {args.mixed_seconds:.0f} s (70% anonymous, 25% signed in, 5% writes)"
        )
        results["mixed"] = _measure_mixed(plan, port, args, log)
        peaks = [p for p in (_peak_rss_mb(pid) for pid in _children(process.pid)) if p]
        if sorted(_children(process.pid)) != sorted(workers):
            log("  warning: gunicorn replaced a worker during the run")
        _stop(process)
        process = None
        results["server"] = {
            "workers": WORKERS,
            "worker_class": "sync",
            "settings": "pipeline.settings.bench",
            "page_cache_seconds": _page_cache_seconds(),
            "worker_peak_rss_mb": [round(p, 1) for p in peaks],
            **load_info,
        }
        results["endpoints"] = endpoints
        checks = budgets.check(results)
        results["budgets"] = [c.as_dict() for c in checks]
        results["passed"] = all(c.ok for c in checks)
        results["total_seconds"] = round(time.perf_counter() - started, 1)
        RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")

        print()
        print(table(results))
        print()
        for e in results["signed_in_endpoints"]:
            print(
                f"{e['label']} (signed in as {e['as']}): {e['queries']} queries "
                f"({e['queries_small']} on a quiet one), {e['signed_in_ms']:.1f} ms, "
                f"{e['signed_in_ratio']:.0%} of the baseline"
            )
        print()
        print(mixed_table(results["mixed"]))
        print()
        d = results["dataset"]
        print(
            f"data set: built in {d['build_seconds']:.0f} s (+ {d['migrate_seconds']:.0f} s "
            f"creating and migrating the database); ledger check: {ledger['mismatches']} "
            f"mismatches in {ledger['seconds']:.0f} s ({ledger['scope']})"
        )
        print(
            "gunicorn worker peak RSS (VmHWM): "
            + ", ".join(f"{p:.0f} MB" for p in results["server"]["worker_peak_rss_mb"])
        )
        print(f"whole run: {results['total_seconds']:.0f} s; results in {RESULTS.name}")
        failed = [c for c in checks if not c.ok]
        if failed:
            print(f"\nbench: {len(failed)} budget(s) FAILED:")
            for c in failed:
                print(f"  ✗ {c.name}: {c.detail}")
            return 1
        print(f"\nbench: all {len(checks)} budget checks passed")
        return 0
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    finally:
        if process is not None:
            _stop(process)
