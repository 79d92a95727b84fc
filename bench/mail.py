"""``python -m bench.mail`` (`make bench-mail`): an update to 1,000 followers who chose "at once".

Measures what the issue asks of background work, on PostgreSQL (``DATABASE_URL``; the bench
drops and recreates a database of its own, ``pipeline_bench_mail``):

- the officer's request that posts the update, through the whole Django stack (middleware,
  view, form, service, redirect) with production settings: it must answer in under 100 ms,
  because it only writes the update and one fan-out task;
- the workers (``manage.py run_worker`` processes, ``--workers``) then deliver every email to a
  real SMTP server on the loopback (aiosmtpd): each follower exactly once;
- the delivery rate (messages per second per worker, from each update's first email to its
  last) and the queue's latency: from the
  delivery's task being queued to the server accepting the message, and from the request to
  the server accepting it (p50 and p99).

It posts ``--updates`` updates (each to its own project with ``--followers`` followers) after a
warm-up post, prints a table, writes ``bench-mail-results.json`` and exits 1 if a request took
100 ms or more or an email was lost or doubled.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.run import BenchError, _bench_database_url, _git_commit, _recreate_database
from bench.smtp import SMTPServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-mail-results.json"
REQUEST_BUDGET_MS = 100


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _setup(database_url: str, smtp_port: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.mail_settings",
        "BENCH_SMTP_PORT": str(smtp_port),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def _projects(count: int, followers: int):
    """``count`` published projects, each followed by ``followers`` people who chose "at once"."""
    from accounts.models import NotificationFrequency, User
    from councils.models import Council, Membership, MembershipRole, MembershipStatus
    from projects.models import Follow, Project, State

    council = Council.objects.create(
        code="BENCH", slug="bench-council", name="Bench Council", short_name="Bench", nation="E"
    )
    owner = User.objects.create_user("owner@bench.example", "bench-password-2026")
    Membership.objects.create(
        user=owner,
        council=council,
        status=MembershipStatus.VERIFIED,
        role=MembershipRole.ADMIN,
    )
    people = User.objects.bulk_create(
        User(
            email=f"reader{n}@bench.example",
            first_name=f"Reader{n}",
            notification_frequency=NotificationFrequency.IMMEDIATE,
        )
        for n in range(followers)
    )
    projects = []
    for n in range(count):
        project = Project.objects.create(
            title=f"Bench project {n}",
            slug=f"bench-project-{n}",
            summary="A shared service",
            lead_council=council,
            owner=owner,
            state=State.SEEKING_SUPPORT,
            published_at=datetime.datetime.now(datetime.UTC),
        )
        Follow.objects.bulk_create(Follow(user=p, project=project) for p in people)
        projects.append(project)
    return owner, projects


def _post(client, project, title: str) -> float:
    started = time.perf_counter()
    response = client.post(
        f"/projects/{project.slug}/updates/new/", {"title": title, "body": "Progress, in brief."}
    )
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise BenchError(f"posting an update answered {response.status_code}, not a redirect")
    return elapsed


def _wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mail", description=__doc__)
    parser.add_argument("--database", default="pipeline_bench_mail")
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=3, help="measured posts (default 3)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smtp-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to deliver all")
    args = parser.parse_args(argv)
    log = lambda message: print(message, flush=True)  # noqa: E731
    workers: list[subprocess.Popen] = []
    server = SMTPServer(args.smtp_port or None)
    try:
        database_url = _bench_database_url(os.environ.get("DATABASE_URL"), args.database)
        _recreate_database(database_url)
        env = _setup(database_url, server.port)
        from django.test import Client

        from jobs.models import WorkerHeartbeat
        from mail.models import Delivery, DeliveryStatus
        from projects.models import Update

        owner, projects = _projects(args.updates + 1, args.followers)
        log(f'{len(projects)} projects with {args.followers} followers each ("at once")')
        server.start()
        for _ in range(args.workers):
            workers.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "manage.py", "run_worker", "--no-reload", "--verbosity", "0"],
                    cwd=ROOT,
                    env=env,
                )
            )
        _wait_until(
            lambda: WorkerHeartbeat.objects.count() >= args.workers, 60, "the workers to start"
        )
        client = Client()
        client.force_login(owner)

        warmup, *measured = projects
        _post(client, warmup, "Warm-up")
        _wait_until(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() >= args.followers,
            args.timeout,
            "the warm-up emails",
        )
        server.recorder.messages.clear()
        Delivery.objects.all().delete()

        log(f"Posting {len(measured)} update(s), {len(measured) * args.followers} emails")
        request_ms = []
        posted_at = {}
        spans = []
        for n, project in enumerate(measured):
            # One at a time, each measured while the workers wait for work (on one machine
            # they would otherwise take the CPU from the request they are measured against).
            expected = (n + 1) * args.followers
            posted_at[project.pk] = time.time()
            request_ms.append(_post(client, project, f"Update {n}"))
            _wait_until(
                lambda expected=expected: len(server.recorder.messages) >= expected,
                args.timeout,
                "every email",
            )
            arrived = [m.at for m in server.recorder.messages[expected - args.followers :]]
            spans.append(max(arrived) - min(arrived))
        time.sleep(2)  # anything sent twice arrives by now

        messages = server.recorder.messages
        per_person = Counter((m.to[0], m.subject) for m in messages)
        doubled = sum(1 for count in per_person.values() if count > 1)
        sent = list(
            Delivery.objects.filter(status=DeliveryStatus.SENT).values_list(
                "created_at", "sent_at", "notifications__project_id"
            )
        )
        queue_ms = [(s - c).total_seconds() * 1000 for c, s, _project in sent]
        end_to_end_ms = [(s.timestamp() - posted_at[p]) * 1000 for _c, s, p in sent]
        rate = len(messages) / sum(spans) / args.workers
        results = {
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
            "followers": args.followers,
            "updates": len(measured),
            "workers": args.workers,
            "request_ms": [round(ms, 1) for ms in request_ms],
            "emails_expected": expected,
            "emails_received": len(messages),
            "emails_doubled": doubled,
            "updates_in_db": Update.objects.count(),
            "delivery_seconds_per_update": [round(span, 1) for span in spans],
            "messages_per_second_per_worker": round(rate, 1),
            "queue_latency_ms": {
                "p50": round(_percentile(queue_ms, 50)),
                "p99": round(_percentile(queue_ms, 99)),
            },
            "request_to_inbox_ms": {
                "p50": round(_percentile(end_to_end_ms, 50)),
                "p99": round(_percentile(end_to_end_ms, 99)),
            },
        }
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        queue, inbox = results["queue_latency_ms"], results["request_to_inbox_ms"]
        log(
            f"\nRequest (post an update to {args.followers} followers): "
            f"median {statistics.median(request_ms):.0f} ms, max {max(request_ms):.0f} ms "
            f"(budget {REQUEST_BUDGET_MS} ms)\n"
            f"Delivered {len(messages)} of {expected} emails ({doubled} doubled) with "
            f"{args.workers} workers, {', '.join(f'{x:.0f}' for x in spans)} s per update: "
            f"{rate:.1f} messages/s per worker\n"
            f"Queue latency (task queued → accepted by the SMTP server): "
            f"p50 {queue['p50']} ms, p99 {queue['p99']} ms\n"
            f"Request → accepted: p50 {inbox['p50']} ms, p99 {inbox['p99']} ms\n"
            f"Written to {RESULTS.name}"
        )
        ok = max(request_ms) < REQUEST_BUDGET_MS and len(messages) == expected and not doubled
        return 0 if ok else 1
    except BenchError as exc:
        print(f"bench-mail: {exc}", file=sys.stderr)
        return 2
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
