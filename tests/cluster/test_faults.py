"""The cluster's fault test (``make cluster-test``): nothing lost, nothing done twice.

The cluster is started from exactly the files in deploy/ (``deploy/cluster.py``), on its own
ports, database, Redis and mail folder, so it never meets a developer's ``make cluster``. Under a
mixed load through the load balancer it kills an app server (SIGKILL) and restarts it, kills the
worker while it is sending, stops Redis for 10 seconds, terminates every database connection and
restarts the app servers one at a time. Then it checks, from the clients' own records against the
database and the mail server's folder, that every acknowledged write is there exactly once, the
ledger is consistent, every email arrived once, sessions and rate limits held across servers, and
that the only failed requests were writes in flight on the killed server, which clients repeated
with their Idempotency-Key.
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import io
import json
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from PIL import Image

from tests.accounts.totp import fresh_code
from tests.factories.accounts import TOTP_SECRET
from tests.servers import RedisServer, wait_for_port

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent.parent
DATABASE = "pipeline_cluster_test"
PORTS = {"lb": 8100, "app1": 8101, "app2": 8102, "s3": 8109, "smtp": 8125, "redis": 6390}
LB = f"https://127.0.0.1:{PORTS['lb']}"
JOIN_LIMIT = 6  # team requests a person may make a day (RATE_LIMIT_JOIN below)
FAULT_SLACK = 1.0  # seconds either side of a fault in which a request counts as in flight


def database_url(name: str) -> str:
    """The machine's PostgreSQL, as DATABASE_URL names it, with another database's name."""
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if not base.scheme.startswith("postgres"):
        base = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
    return urlunsplit((base.scheme, base.netloc, f"/{name}", "", ""))


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(database_url("postgres"), autocommit=True)


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def migrated_template(env: dict[str, str]) -> str:
    """A database migrated once for this set of migrations and pinned packages, which each run
    copies (the release step then finds nothing to do): migrating from nothing takes most of a
    minute on a busy machine. Built under another name and renamed, so a failed build is never
    used; templates of other migrations are dropped."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    prefix = f"{DATABASE}_template_"
    name = prefix + digest.hexdigest()[:12]
    with admin_connection() as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database").fetchall()]
        if name in names:
            return name
        for old in names:
            if old.startswith(prefix):
                conn.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}_building"')
    run(
        ["manage.py", "migrate", "--noinput", "-v0"],
        {**env, "DATABASE_URL": database_url(f"{name}_building")},
        300,
    )
    with admin_connection() as conn:
        conn.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
    return name


def cluster_env(cluster_dir: Path) -> dict[str, str]:
    """The test's cluster: deploy/cluster.env, overridden where it must not collide."""
    ports = PORTS
    return {
        **os.environ,
        "CLUSTER_DIR": str(cluster_dir),
        "DJANGO_SETTINGS_MODULE": "pipeline.settings.production",
        "DJANGO_SECRET_KEY": (cluster_dir / "secret_key").read_text(),
        "DATABASE_URL": database_url(DATABASE),
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "LB_BIND": f"127.0.0.1:{ports['lb']}",
        "APP1_ADDR": f"127.0.0.1:{ports['app1']}",
        "APP2_ADDR": f"127.0.0.1:{ports['app2']}",
        "S3_PORT": str(ports["s3"]),
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
        "EMAIL_PORT": str(ports["smtp"]),
        "DJANGO_CSRF_TRUSTED_ORIGINS": LB,
        "PIPELINE_BASE_URL": LB,
        # The load is a few clients from one address: only the limit under test may bite.
        "RATE_LIMIT_PLEDGE": "100000/h",
        "RATE_LIMIT_UPDATE": "100000/h",
        "RATE_LIMIT_JOIN": f"{JOIN_LIMIT}/d",
        "API_THROTTLE_ANON": "100000/min",
        "API_THROTTLE_USER": "100000/min",
        # A dead worker's task goes to another within seconds, not the production half-minute.
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_DEAD_AFTER_SECONDS": "5",
        "MAIL_RETRY_SECONDS": "1",
        "MAIL_RETRY_MAX_SECONDS": "5",
        # No digest or nudge may add emails the test did not cause.
        "SCHEDULE_DIGEST_DAILY": "",
        "SCHEDULE_DIGEST_WEEKLY": "",
        "SCHEDULE_DORMANCY_NUDGES": "",
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def pid_of(cluster_dir: Path, name: str) -> int:
    return int((cluster_dir / f"{name}.pid").read_text())


# --- the load ----------------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    method: str
    start: float
    end: float
    status: int | None
    error: str = ""
    replayed: bool = False


@dataclass
class Record:
    calls: list[Call] = field(default_factory=list)
    pledges: dict[str, int] = field(default_factory=dict)  # idempotency key → pledge id
    decisions: dict[str, tuple[int, str]] = field(default_factory=dict)  # key → (pledge, state)
    updates: dict[str, tuple[int, int]] = field(default_factory=dict)  # key → (update, project)
    unacknowledged: list[tuple[str, str]] = field(default_factory=list)
    sessions_lost: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


class Load:
    """Clients that read and write through the load balancer until told to stop."""

    def __init__(self, seed: dict, certificate: Path):
        self.seed = seed
        self.certificate = str(certificate)
        self.record = Record()
        self.stop = threading.Event()
        self.offered: queue.Queue[int] = queue.Queue()
        self.threads: list[threading.Thread] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # loopback only: no proxy, and no CA bundle but ours
        session.verify = self.certificate
        return session

    def send(self, session, kind: str, method: str, path: str, **kwargs):
        start = time.monotonic()
        try:
            response = session.request(method, LB + path, timeout=20, **kwargs)
        except requests.RequestException as exc:
            self.record.add(Call(kind, method, start, time.monotonic(), None, type(exc).__name__))
            return None
        self.record.add(
            Call(
                kind,
                method,
                start,
                time.monotonic(),
                response.status_code,
                replayed=response.headers.get("Idempotent-Replayed") == "true",
            )
        )
        return response

    def write(self, session, kind: str, path: str, body: dict, key: str):
        """POST until answered, always with the same Idempotency-Key."""
        headers = {"Idempotency-Key": key}
        deadline = time.monotonic() + 60
        delay = 0.2
        while time.monotonic() < deadline:
            response = self.send(session, kind, "POST", path, json=body, headers=headers)
            if response is not None and response.status_code < 500:
                return response
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        self.record.unacknowledged.append((kind, key))
        return None

    # Each client is one thread.

    def anonymous_reader(self) -> None:
        session = self.session()
        paths = ["/", "/projects/", "/councils/", "/api/v1/projects/", *self.seed["project_urls"]]
        while not self.stop.is_set():
            for path in paths:
                self.send(session, "read anonymous", "GET", path)

    def signed_in_reader(self, session: requests.Session) -> None:
        while not self.stop.is_set():
            response = self.send(
                session, "read signed in", "GET", "/my-pipeline/", allow_redirects=False
            )
            if response is not None and response.status_code in (301, 302):
                with self.record.lock:
                    self.record.sessions_lost += 1
            time.sleep(0.05)

    def pledger(self, pledger: dict) -> None:
        session = self.session()
        session.headers["Authorization"] = f"Bearer {pledger['token']}"
        projects = self.seed["pledge_projects"]
        n = 0
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            body = {
                "project": projects[n % len(projects)],
                "council": pledger["council"],
                "kind": "money",
                "amount_pence": 100 + n,
                "note": f"fault-test {key}",
            }
            response = self.write(session, "pledge offer", "/api/v1/pledges/", body, key)
            if response is not None and response.status_code == 201:
                pledge = response.json()["id"]
                self.record.pledges[key] = pledge
                self.offered.put(pledge)
            n += 1
            time.sleep(0.1)

    def decider(self) -> None:
        session = self.session()
        session.headers["Authorization"] = f"Bearer {self.seed['owner']['token']}"
        n = 0
        while not self.stop.is_set():  # offers left undecided stay offered: that is fine
            try:
                pledge = self.offered.get(timeout=0.5)
            except queue.Empty:
                continue
            action, state = ("accept", "accepted") if n % 2 == 0 else ("decline", "declined")
            key = str(uuid.uuid4())
            path = f"/api/v1/pledges/{pledge}/{action}/"
            response = self.write(
                session, "pledge decision", path, {"note": f"fault-test {key}"}, key
            )
            if response is not None and response.status_code == 200:
                self.record.decisions[key] = (pledge, state)
            n += 1

    def updater(self) -> None:
        session = self.session()
        session.headers["Authorization"] = f"Bearer {self.seed['owner']['token']}"
        projects = list(self.seed["update_projects"].items())
        n = 0
        while not self.stop.is_set():
            slug, project_id = projects[n % len(projects)]
            key = str(uuid.uuid4())
            body = {"title": f"Progress {key}", "body": "What we did this week."}
            response = self.write(
                session, "project update", f"/api/v1/projects/{slug}/updates/", body, key
            )
            if response is not None and response.status_code == 201:
                self.record.updates[key] = (response.json()["id"], project_id)
            n += 1
            self.stop.wait(3.0)

    def start(self, readers: list[requests.Session]) -> None:
        targets = [self.anonymous_reader, self.anonymous_reader, self.decider, self.updater]
        targets += [lambda r=r: self.signed_in_reader(r) for r in readers]
        targets += [lambda p=p: self.pledger(p) for p in self.seed["pledgers"]]
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)


# --- signing in, and requests straight to one app server ------------------------------------


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(session: requests.Session, address: str) -> None:
    form = session.get(f"{LB}/accounts/login/", timeout=20)
    answer = session.post(
        f"{LB}/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "login": address,
            "password": "correct-horse-battery-staple",
        },
        headers={"Referer": f"{LB}/accounts/login/"},
        allow_redirects=False,
        timeout=20,
    )
    assert answer.status_code == 302, f"signing in {address}: {answer.status_code}"
    if urlsplit(answer.headers["Location"]).path == "/accounts/2fa/authenticate/":
        # An organiser has an authenticator app (the factories' secret): enter its code.
        form = session.get(f"{LB}/accounts/2fa/authenticate/", timeout=20)
        answer = session.post(
            f"{LB}/accounts/2fa/authenticate/",
            data={"csrfmiddlewaretoken": csrf_token(form.text), "code": fresh_code(TOTP_SECRET)},
            headers={"Referer": f"{LB}/accounts/2fa/authenticate/"},
            allow_redirects=False,
            timeout=20,
        )
        assert answer.status_code == 302, f"the code for {address}: {answer.status_code}"


def direct(app: str, session: requests.Session | None = None, token: str = "") -> dict:
    """Headers for a request straight to one app server, as the load balancer sends them (the
    browser's __Host- cookies are Secure, so they are copied by hand over plain HTTP)."""
    headers = {
        "Host": f"127.0.0.1:{PORTS['lb']}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Origin": LB,
        "Referer": f"{LB}/",
    }
    if session is not None:
        headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return {"url": f"http://127.0.0.1:{PORTS[app]}", "headers": headers}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 94, 165)).save(buffer, "PNG")
    return buffer.getvalue()


def image_across_servers(organiser: requests.Session) -> str:
    """Upload an image through app1 and read it back through app2, from the object store."""
    one, two = direct("app1", organiser), direct("app2", organiser)
    form = requests.get(f"{one['url']}/cms-admin/images/add/", headers=one["headers"], timeout=20)
    assert form.status_code == 200, f"the image form on app1: {form.status_code}"
    data = {"csrfmiddlewaretoken": csrf_token(form.text), "title": "Fault test map"}
    collection = re.search(r'name="collection"[^>]*>\s*<option value="(\d+)"', form.text)
    if collection:
        data["collection"] = collection.group(1)
    added = requests.post(
        f"{one['url']}/cms-admin/images/add/",
        headers=one["headers"],
        data=data,
        files={"file": ("map.png", png(), "image/png")},
        allow_redirects=False,
        timeout=30,
    )
    assert added.status_code == 302, f"uploading through app1: {added.status_code}"
    listing = requests.get(
        f"{two['url']}/cms-admin/images/?q=Fault", headers=two["headers"], timeout=20
    )
    assert listing.status_code == 200, f"the image list on app2: {listing.status_code}"
    image_id = re.search(r"/cms-admin/images/(\d+)/", listing.text).group(1)
    page = requests.get(
        f"{two['url']}/cms-admin/images/{image_id}/", headers=two["headers"], timeout=30
    )
    assert page.status_code == 200, f"the image on app2: {page.status_code}"
    store = f"http://127.0.0.1:{PORTS['s3']}/"
    source = unescape(re.search(rf'src="({re.escape(store)}[^"]+)"', page.text).group(1))
    picture = requests.get(source, timeout=20)
    assert picture.status_code == 200
    assert Image.open(io.BytesIO(picture.content)).format == "PNG"
    return source


# --- faults ---------------------------------------------------------------------------------


def cluster_command(env: dict[str, str], *args: str, timeout: float = 120) -> None:
    run(["deploy/cluster.py", *args], env, timeout)


def kill(cluster_dir: Path, name: str) -> None:
    """SIGKILL to the process and its children, as a crash or the OOM killer would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid_of(cluster_dir, name), signal.SIGKILL)


def sending(env: dict[str, str]) -> tuple[int, int]:
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        pending, sent = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'pending'),"
            " count(*) FILTER (WHERE status = 'sent') FROM mail_delivery"
        ).fetchone()
    return pending, sent


def wait_mid_batch(env: dict[str, str], timeout: float = 30) -> tuple[int, int]:
    """Until the worker is sending: emails waiting, and more sent than a moment ago."""
    deadline = time.monotonic() + timeout
    _, before = sending(env)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        pending, sent = sending(env)
        if pending >= 5 and sent > before:
            return pending, sent
        before = sent
    pytest.fail("the worker never had a batch in hand to be killed in")


def terminate_connections(env: dict[str, str]) -> int:
    with admin_connection() as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        ).fetchall()
    return len(rows)


def wait_for_deliveries(env: dict[str, str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    waiting = None
    while time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            conn = psycopg.connect(env["DATABASE_URL"], autocommit=True)
        except psycopg.OperationalError:
            continue  # a shared server with no connection to spare just now: ask again
        with conn:
            (waiting,) = conn.execute(
                "SELECT (SELECT count(*) FROM mail_delivery WHERE status = 'pending')"
                " + (SELECT count(*) FROM django_tasks_database_dbtaskresult"
                "    WHERE status = 'RUNNING' OR (status = 'READY'"
                "    AND (run_after < now() + interval '30 seconds'"
                "    OR run_after > now() + interval '100 years')))"  # the 'no date' maximum
            ).fetchone()
        if waiting == 0:
            return
    pytest.fail(f"{waiting} emails and tasks still waiting after {timeout:.0f} s")


# --- what arrived ----------------------------------------------------------------------------


def delivered(cluster_dir: Path) -> Counter[str]:
    """Message-ID digests of every message in the mail server's Maildir, with their counts."""
    found: Counter[str] = Counter()
    for path in (cluster_dir / "mail" / "new").iterdir():
        message = email.message_from_bytes(path.read_bytes())
        match = re.match(r"<delivery\.\d+\.([0-9a-f]{16})@", message["Message-ID"] or "")
        found[match.group(1) if match else f"other:{path.name}"] += 1
    return found


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def in_flight(call: Call, moments: list[float]) -> bool:
    return any(call.start - FAULT_SLACK <= t <= call.end + FAULT_SLACK for t in moments)


def table(rows: list[tuple[str, object]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * (width + 12)]
    lines += [f"{name:<{width}}  {value:>9}" for name, value in rows]
    return "\n".join(lines)


# --- the test -------------------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path):
    """A cluster of its own, and a Redis of its own, always stopped and removed afterwards."""
    for name, port in PORTS.items():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            pytest.fail(f"port {port} ({name}) is taken: is another fault test running?")
    cluster_dir = tmp_path / "cluster"
    cluster_dir.mkdir()
    (cluster_dir / "secret_key").write_text(secrets.token_urlsafe(64))
    env = cluster_env(cluster_dir)
    redis = RedisServer(PORTS["redis"])
    drop_database()
    template = migrated_template(env)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"')
    try:
        redis.start()
        started = time.monotonic()
        cluster_command(env, "start", timeout=240)
        print(f"\ncluster started in {time.monotonic() - started:.0f} s")
        yield cluster_dir, env, redis
    finally:
        subprocess.run(  # noqa: S603
            [sys.executable, "deploy/cluster.py", "stop"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=300,
        )
        redis.stop()
        drop_database()


def test_the_cluster_loses_nothing_and_does_nothing_twice_under_faults(cluster):
    began = time.monotonic()
    cluster_dir, env, redis = cluster

    def say(what: str) -> None:
        print(f"[{time.monotonic() - began:5.1f} s] {what}", flush=True)

    seed = json.loads(run(["-m", "tests.cluster.data", "seed"], env, 120).stdout)
    load = Load(seed, cluster_dir / "tls.crt")
    readers = []
    for address in seed["readers"]:
        readers.append(load.session())
        sign_in(readers[-1], address)
    organiser = load.session()
    sign_in(organiser, seed["organiser"])
    faults: dict[str, float] = {}
    say("seeded and signed in; the load starts")

    load.start(readers)
    try:
        time.sleep(4)
        image_across_servers(organiser)

        faults["app server killed"] = time.monotonic()
        kill(cluster_dir, "app1")
        time.sleep(3)
        cluster_command(env, "restart", "app1")
        say("app1 killed and back")

        wait_mid_batch(env)
        faults["worker killed"] = time.monotonic()
        kill(cluster_dir, "worker")
        time.sleep(2)
        cluster_command(env, "restart", "worker")
        say("worker killed mid-batch and back")

        faults["redis stopped"] = time.monotonic()
        redis.stop()
        time.sleep(10)
        redis.start()
        say("Redis stopped for 10 s and back")

        faults["database connections terminated"] = time.monotonic()
        terminated = terminate_connections(env)
        time.sleep(3)

        faults["rolling restart"] = time.monotonic()
        cluster_command(env, "rolling-restart", timeout=180)
        say("rolling restart done")
        time.sleep(3)
        image_across_servers(organiser)  # after every fault, both ways still agree
    finally:
        load.finish()
    say(f"{terminated} database connections were terminated; the load stopped")
    wait_for_deliveries(env)
    say("every email sent")
    wait_for_port(PORTS["lb"])

    # Sessions and rate limits, straight to each app server in turn.
    sessions_across = [
        requests.get(
            f"{d['url']}/my-pipeline/", headers=d["headers"], allow_redirects=False, timeout=20
        ).status_code
        for d in (direct("app1", readers[0]), direct("app2", readers[0]))
    ]
    limited = seed["limited"]
    joins = []
    for n in range(JOIN_LIMIT + 2):
        d = direct(("app1", "app2")[n % 2], token=limited["token"])
        answer = requests.post(
            f"{d['url']}/api/v1/projects/{limited['project']}/team/",
            headers=d["headers"],
            json={"role": "developer"},
            timeout=20,
        )
        joins.append(answer.status_code)
        if answer.status_code == 201:
            membership = answer.json()["id"]

    report = json.loads(run(["-m", "tests.cluster.data", "report"], env, 60).stdout)
    ledger = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check_ledger"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    record = load.record
    # Writes: every acknowledged one is there; none is there twice.
    notes = Counter(p["note"] for p in report["pledges"])
    decided = ("accepted", "declined")
    event_notes = Counter(e["note"] for e in report["events"] if e["to_state"] in decided)
    # The test's own updates ("Progress k"); the timeline also records each pledge decision on
    # its own, under the same few titles ("Pledge accepted"), which are not the test's writes.
    titles = Counter(u["title"] for u in report["updates"] if u["title"].startswith("Progress "))
    by_pledge = {p["pk"]: p for p in report["pledges"]}
    lost = [
        k
        for k, pk in record.pledges.items()
        if by_pledge.get(pk, {}).get("note") != f"fault-test {k}"
    ]
    lost += [k for k in record.decisions if event_notes[f"fault-test {k}"] != 1]
    lost += [k for k in record.updates if titles[f"Progress {k}"] != 1]
    duplicated = sum(n - 1 for n in (notes + event_notes + titles).values() if n > 1)
    # The ledger's last state of each pledge is its stored state.
    last_state = {}
    for event in sorted(report["events"], key=lambda e: (e["pledge_id"], e["sequence"])):
        last_state[event["pledge_id"]] = event["to_state"]
    wrong_state = [
        pledge
        for pledge, state in record.decisions.values()
        if last_state.get(pledge) != state or by_pledge[pledge]["state"] != state
    ]

    # Notifications: what the acknowledged writes must have sent, each exactly once.
    expected = {f"pledge:{pk}:offered" for pk in record.pledges.values()}
    expected |= {f"pledge:{pk}:{state}" for pk, state in record.decisions.values()}
    expected |= {
        f"notification:update:{project}:{update}:{follower}"
        for update, project in record.updates.values()
        for follower in seed["followers"]
    }
    expected.add(f"team:{membership}:requested")
    arrived = delivered(cluster_dir)
    expected_digests = {digest(k): k for k in expected}
    missing = [k for d, k in expected_digests.items() if arrived[d] == 0]
    twice = [d for d, n in arrived.items() if n > 1]
    unexpected = [d for d in arrived if d not in expected_digests]
    not_sent = [d for d in report["deliveries"] if d["status"] != "sent"]

    # Failures: each one a write in flight on the killed server, or at another fault.
    failed = [c for c in record.calls if c.status is None or c.status >= 500]
    rejected = [c for c in record.calls if c.status is not None and 400 <= c.status < 500]
    kill_moment = [faults["app server killed"]]
    explained = [c for c in failed if c.method == "POST" and in_flight(c, kill_moment)]
    # A write whose transaction lost its connection is rolled back and answered 500; its
    # client repeats it. (A read is repeated by the load balancer.)
    dropped = [faults["database connections terminated"]]
    cut_off = [
        c
        for c in failed
        if c not in explained and c.method == "POST" and c.status == 500 and in_flight(c, dropped)
    ]
    unexplained = [c for c in failed if c not in explained and c not in cut_off]

    kinds = sorted({c.kind for c in record.calls})
    rows: list[tuple[str, object]] = []
    for kind in kinds:
        calls = [c for c in record.calls if c.kind == kind]
        rows.append((f"requests: {kind}", len(calls)))
    for kind in kinds:
        rows.append((f"errors: {kind}", sum(1 for c in failed if c.kind == kind)))
    rows += [
        ("failed writes in flight on killed server", len(explained)),
        ("failed writes in flight when connections dropped", len(cut_off)),
        ("failed requests otherwise", len(unexplained)),
        ("refused (4xx) requests", len(rejected)),
        ("retries answered from Idempotency-Key", sum(c.replayed for c in record.calls)),
        ("writes acknowledged", len(record.pledges) + len(record.decisions) + len(record.updates)),
        ("  pledge offers", len(record.pledges)),
        ("  pledge decisions", len(record.decisions)),
        ("  project updates", len(record.updates)),
        ("writes never acknowledged", len(record.unacknowledged)),
        ("lost", len(lost)),
        ("duplicated", duplicated),
        ("ledger states wrong", len(wrong_state)),
        ("notifications expected", len(expected)),
        ("notifications delivered", sum(arrived.values())),
        ("  delivered twice", len(twice)),
        ("  missing", len(missing)),
        ("  unexpected", len(unexpected)),
        ("signed-in reads that lost the session", record.sessions_lost),
        ("database connections terminated", terminated),
        ("seconds, whole test", round(time.monotonic() - began)),
    ]
    summary = table(rows, "Cluster fault test")
    summary += "\nsessions on app1, app2: " + ", ".join(map(str, sessions_across))
    summary += "\nteam requests, alternating app1/app2: " + " ".join(map(str, joins))
    summary += "\n" + ledger.stdout.strip()
    if unexplained:
        summary += "\nunexplained failures (kind, method, status/error, at s from the start):\n"
        summary += "\n".join(
            f"  {c.kind} {c.method} {c.status or c.error} {c.start - began:.1f}"
            for c in unexplained[:20]
        )
    faults_line = ", ".join(f"{name} at {t - began:.0f} s" for name, t in faults.items())
    print(f"\n{summary}\nfaults: {faults_line}\n")
    (cluster_dir / "report.txt").write_text(summary + "\n")

    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert not lost, f"acknowledged writes missing: {lost[:5]}"
    assert duplicated == 0
    assert not wrong_state
    assert not record.unacknowledged, record.unacknowledged
    assert not missing and not twice and not unexpected and not not_sent
    assert record.sessions_lost == 0 and sessions_across == [200, 200]
    assert joins == [201] + [409] * (JOIN_LIMIT - 1) + [429, 429]
    assert not unexplained and not rejected
    assert len(record.pledges) > 20 and len(record.decisions) > 10 and len(record.updates) > 5
