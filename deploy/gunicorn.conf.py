"""gunicorn for one Pipeline app server, behind the load balancer (deploy/haproxy.cfg).

Every value can be set from the environment, so the same file serves `make cluster`, CI and a
real host. Sync workers: each request holds one worker and one pooled database connection.
"""

import json
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
wsgi_app = "pipeline.wsgi:application"

# Two workers a core plus one is gunicorn's own rule of thumb for sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Workers are recycled now and then, so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# A request that takes longer than this is killed (the load balancer gives up sooner).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, stop accepting and let requests in flight finish for up to this long: with the
# load balancer draining the server first, a restart fails no request.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# The load balancer keeps connections open between requests.
keepalive = 5

# Only the load balancer may say who the client is and which scheme it used.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# One JSON object per request, for a log store to read as it is.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "remote": "%({x-forwarded-for}i)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_us": "%(D)s",
        "referer": "%(f)s",
        "user_agent": "%(a)s",
        "server": bind,
        "pid": "%(p)s",
    }
)
