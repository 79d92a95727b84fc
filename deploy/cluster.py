"""Run Pipeline as a cluster on one machine, from exactly the files in deploy/.

    python deploy/cluster.py start              everything in deploy/Procfile, in order
    python deploy/cluster.py stop               all of it (SIGTERM, then SIGKILL after 30 s)
    python deploy/cluster.py status             which processes are running
    python deploy/cluster.py restart NAME       one process; an app server is drained first
    python deploy/cluster.py rolling-restart    every app server, one at a time, under load

Each process runs in a session of its own, its id in .cluster/<name>.pid and its output in
.cluster/<name>.log. PostgreSQL and Redis are the machine's own (deploy/cluster.env says where).
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR", ROOT / ".cluster"))
APP_SERVERS = ("app1", "app2")
STOP_SECONDS = 35  # longer than gunicorn's graceful_timeout
SETTLE_SECONDS = 3  # a restarted server warms up before the next one is drained


class ClusterError(Exception):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def cluster_env() -> dict[str, str]:
    """deploy/cluster.env, overridden by the calling environment, plus the made secret key."""
    env = {**read_env_file(DEPLOY / "cluster.env"), **os.environ}
    env["CLUSTER_DIR"] = str(CLUSTER_DIR)
    env["DJANGO_SECRET_KEY"] = secret_key()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PIPELINE_BASE_URL", f"https://{env['LB_BIND']}")
    return env


def procfile(env: dict[str, str]) -> list[tuple[str, str]]:
    entries = []
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), Template(command.strip()).substitute(env)))
    return entries


def secret_key() -> str:
    path = CLUSTER_DIR / "secret_key"
    if not path.exists():
        CLUSTER_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def make_tls_certificate() -> None:
    """A self-signed certificate for the load balancer, as a real edge would have a real one."""
    pem = CLUSTER_DIR / "tls.pem"
    if pem.exists():
        return
    key, cert = CLUSTER_DIR / "tls.key", CLUSTER_DIR / "tls.crt"
    subprocess.run(  # noqa: S603 - fixed arguments
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    pem.chmod(0o600)


def tls_context() -> ssl.SSLContext:
    """Trusts the cluster's own certificate, and nothing else."""
    return ssl.create_default_context(cafile=str(CLUSTER_DIR / "tls.crt"))


def pid_file(name: str) -> Path:
    return CLUSTER_DIR / f"{name}.pid"


def running_pid(name: str) -> int | None:
    try:
        pid = int(pid_file(name).read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def spawn(name: str, command: str, env: dict[str, str]) -> int:
    log = open(CLUSTER_DIR / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(  # noqa: S603 - commands from our own Procfile
        shlex.split(command),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stop takes its children too
    )
    pid_file(name).write_text(str(process.pid))
    return process.pid


def wait_until(check, what: str, seconds: float = 60, pid: int | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pid is not None and not alive(pid):
            raise ClusterError(f"{what}: the process exited (see its log in {CLUSTER_DIR})")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ClusterError(f"{what}: not up within {seconds:.0f} s (see its log in {CLUSTER_DIR})")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child we started and that exited is a zombie until reaped; it is not alive.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def port_open(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=1):
        return True


def ready(url: str, context: ssl.SSLContext | None = None) -> bool:
    with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310
        return response.status == 200


def wait_for(name: str, env: dict[str, str], pid: int) -> None:
    """Until the process does its job: a port that answers, or a ready app server."""
    if name == "objectstore":
        wait_until(lambda: port_open(f"127.0.0.1:{env['S3_PORT']}"), name, pid=pid)
        create_bucket(env)
    elif name == "mail":
        wait_until(lambda: port_open(f"{env['EMAIL_HOST']}:{env['EMAIL_PORT']}"), name, pid=pid)
    elif name in APP_SERVERS:
        address = env[f"{name.upper()}_ADDR"]
        wait_until(lambda: ready(f"http://{address}/healthz/ready"), name, 90, pid=pid)
    elif name == "lb":
        url = f"https://{env['LB_BIND']}/healthz/ready"
        wait_until(lambda: ready(url, tls_context()), name, pid=pid)
    else:
        time.sleep(1)
        if not alive(pid):
            raise ClusterError(f"{name}: the process exited (see its log in {CLUSTER_DIR})")


def create_bucket(env: dict[str, str]) -> None:
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        region_name=env["S3_REGION"],
    )
    try:
        client.create_bucket(
            Bucket=env["S3_BUCKET"],
            CreateBucketConfiguration={"LocationConstraint": env["S3_REGION"]},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise


def ensure_database(env: dict[str, str]) -> None:
    """The cluster's own database on the machine's PostgreSQL, made once."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(env["DATABASE_URL"])
    with psycopg.connect(
        dbname="postgres",
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))


def start_one(name: str, command: str, env: dict[str, str]) -> None:
    if name == "release":
        print("release: migrate and collectstatic, once", flush=True)
        result = subprocess.run(  # noqa: S602 - our own Procfile's release line
            command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True
        )
        (CLUSTER_DIR / "release.log").write_text(result.stdout + result.stderr)
        if result.returncode:
            raise ClusterError(f"release failed:\n{result.stdout}{result.stderr}")
        return
    if running_pid(name):
        print(f"{name}: already running", flush=True)
        return
    pid = spawn(name, command, env)
    wait_for(name, env, pid)
    print(f"{name}: running, pid {pid}", flush=True)


def start() -> None:
    CLUSTER_DIR.mkdir(parents=True, exist_ok=True)
    # A Maildir (tmp/, new/, cur/): the mail server cannot deliver into a bare folder.
    mailbox.Maildir(CLUSTER_DIR / "mail", create=True)
    make_tls_certificate()
    env = cluster_env()
    ensure_database(env)
    try:
        for name, command in procfile(env):
            start_one(name, command, env)
    except ClusterError:
        stop()
        raise
    print(f"Pipeline is serving on https://{env['LB_BIND']}/ (certificate: {CLUSTER_DIR}/tls.crt)")


def terminate(name: str, seconds: float = STOP_SECONDS) -> None:
    pid = running_pid(name)
    if pid is None:
        pid_file(name).unlink(missing_ok=True)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pid_file(name).unlink(missing_ok=True)


def stop() -> None:
    names = [name for name, _ in procfile(cluster_env()) if name != "release"]
    for name in reversed(names):
        terminate(name)
        print(f"{name}: stopped", flush=True)


def status() -> int:
    missing = 0
    for name, _ in procfile(cluster_env()):
        if name == "release":
            continue
        pid = running_pid(name)
        print(f"{name:12} {'running, pid ' + str(pid) if pid else 'stopped'}")
        missing += pid is None
    return 1 if missing else 0


def haproxy(command: str) -> str:
    """One command on HAProxy's runtime API."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(CLUSTER_DIR / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_stat(name: str) -> dict[str, str]:
    """HAProxy's figures for one app server: status (UP, DOWN, DRAIN…), scur (in flight)…"""
    lines = haproxy("show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "app" and row.get("svname") == name:
            return row
    raise ClusterError(f"HAProxy does not know the server {name}")


def restart(name: str) -> None:
    env = cluster_env()
    commands = dict(procfile(env))
    if name not in commands or name == "release":
        raise ClusterError(f"no process called {name} in deploy/Procfile")
    if name in APP_SERVERS and running_pid("lb"):
        # Drain: no new requests go to it; those in flight finish before it stops.
        haproxy(f"set server app/{name} state drain")
        wait_until(lambda: int(server_stat(name)["scur"] or 0) == 0, f"draining {name}", 30)
    terminate(name)
    pid = spawn(name, commands[name], env)
    wait_for(name, env, pid)
    if name in APP_SERVERS and running_pid("lb"):
        haproxy(f"set server app/{name} state ready")
        # Back in rotation only once the load balancer's own check has passed.
        wait_until(lambda: server_stat(name)["status"] == "UP", f"{name} back", 30)
    print(f"{name}: restarted, pid {pid}", flush=True)


def main(argv: list[str]) -> int:
    try:
        match argv:
            case ["start"]:
                start()
            case ["stop"]:
                stop()
            case ["status"]:
                return status()
            case ["restart", name]:
                restart(name)
            case ["rolling-restart"]:
                for n, name in enumerate(APP_SERVERS):
                    if n:
                        # The one restarted last serves its first (slower) requests before
                        # the next one is drained.
                        time.sleep(SETTLE_SECONDS)
                    restart(name)
            case _:
                print(__doc__, file=sys.stderr)
                return 2
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
