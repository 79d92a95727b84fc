"""Sizing figures for the README, from a running ``make cluster``: how many requests a second
one app server answers, anonymous and signed in, and how much memory each kind of process uses.

    make cluster DATABASE_URL=…/pipeline_bench    (the bench's data set: python -m bench first)
    python -m bench.cluster [--seconds 15] [--connections 4] [--app APP1_ADDR]

Requests go straight to one app server (not through the load balancer), with the headers the load
balancer adds, so the figure is one server's. Signed-in requests carry a session made here for a
verified council member. Memory is each process's RSS and PSS (its share of pages it shares with
others, which is what adding one more costs) from /proc, read after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bench.client import load

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR", ROOT / ".cluster"))


def cluster_settings() -> dict[str, str]:
    """deploy/cluster.env with the calling environment winning, as deploy/cluster.py reads it."""
    values = {}
    for line in (ROOT / "deploy" / "cluster.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return {**values, **os.environ}


def signed_in_cookie(settings: dict[str, str]) -> str:
    """A session for a verified member, stored where the cluster's app servers read it."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": settings["DJANGO_SETTINGS_MODULE"],
            "DATABASE_URL": settings["DATABASE_URL"],
            "REDIS_URL": settings["REDIS_URL"],
            "DJANGO_ALLOWED_HOSTS": settings["DJANGO_ALLOWED_HOSTS"],
            "DJANGO_SECRET_KEY": (CLUSTER_DIR / "secret_key").read_text().strip(),
        }
    )
    import django

    django.setup()
    from django.conf import settings as django_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from accounts.models import User

    user = User.objects.filter(memberships__status="verified", is_active=True).first()
    if user is None:
        sys.exit("No verified council member in this database: load the bench's data set first.")
    store = import_string(f"{django_settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{django_settings.SESSION_COOKIE_NAME}={store.session_key}"


def first_project(host: str, port: int, headers: dict[str, str]) -> str:
    import json

    from bench.client import _request

    async def get() -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_request(host, port, "/api/v1/projects/", close=True, headers=headers))
        await writer.drain()
        data = await reader.read()
        writer.close()
        return data

    body = asyncio.run(get()).split(b"\r\n\r\n", 1)[1]
    return "/" + json.loads(body)["results"][0]["url"].split("://", 1)[1].split("/", 1)[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Pss"]


def memory_table() -> list[tuple[str, int, float, float]]:
    """(process type, how many, RSS each, PSS each) for the cluster's running processes."""
    groups: dict[str, list[int]] = {}
    for pid_file in sorted(CLUSTER_DIR.glob("*.pid")):
        pid = int(pid_file.read_text())
        name = pid_file.stem
        if name.startswith("app"):
            groups.setdefault("gunicorn master", []).append(pid)
            groups.setdefault("gunicorn worker (sync)", []).extend(children(pid))
        elif name == "worker":
            groups.setdefault("task worker (run_worker)", []).append(pid)
        elif name == "scheduler":
            groups.setdefault("scheduler (run_scheduler)", []).append(pid)
        elif name == "lb":
            groups.setdefault("haproxy", []).extend([pid, *children(pid)])
    rows = []
    for name, pids in groups.items():
        sizes = [memory_mib(pid) for pid in pids]
        rows.append(
            (
                name,
                len(pids),
                sum(r for r, _ in sizes) / len(sizes),
                sum(p for _, p in sizes) / len(sizes),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="per page and kind of reader")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--app", help="an app server's host:port (default APP1_ADDR)")
    args = parser.parse_args(argv)
    settings = cluster_settings()
    host, port = (args.app or settings["APP1_ADDR"]).rsplit(":", 1)
    proxy = {
        "Host": settings["LB_BIND"],
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }
    signed_in = {**proxy, "Cookie": signed_in_cookie(settings)}
    project = first_project(host, int(port), proxy)
    pages = ["/", "/projects/", project, "/api/v1/projects/"]
    runs = [("anonymous", path, proxy) for path in pages]
    runs += [("signed in", path, signed_in) for path in [*pages, "/my-pipeline/"]]
    print(f"One app server at {host}:{port}, {args.connections} connections, {os.cpu_count()} CPUs")
    print(f"{'reader':<10} {'page':<45} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for who, path, headers in runs:
        result = asyncio.run(
            load(
                host,
                int(port),
                path,
                connections=args.connections,
                max_requests=1_000_000,
                max_seconds=args.seconds,
                headers=headers,
            )
        )
        print(
            f"{who:<10} {path[:45]:<45} {result.requests_per_second:7.1f}"
            f" {result.percentile(50):7.1f} {result.percentile(95):7.1f}"
            f" {result.error_count:6d}"
        )
    print(f"\n{'process':<28} {'count':>5} {'RSS MiB':>8} {'PSS MiB':>8}")
    for name, count, rss, pss in memory_table():
        print(f"{name:<28} {count:5d} {rss:8.1f} {pss:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
