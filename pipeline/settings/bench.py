"""Benchmarks (`make bench`): production settings served over plain HTTP on the loopback.

Everything that shapes a request's cost in production stays: DEBUG off, the same middleware,
templates, REST framework settings and persistent database connections. What changes is only
what a loopback benchmark cannot have or must not trip over:

- no TLS, so no HTTPS redirect or HSTS, and ALLOWED_HOSTS is the loopback address;
- static files are not collected (the bench never fetches them);
- API throttling still runs on every request, but at a rate the load cannot reach;
- the cache is Redis as in production (``BENCH_CACHE_URL``, database 15 of the local server by
  default, which the bench empties before it starts), so readers who are not signed in are
  served from ``core.pagecache`` as they would be in production;
- ``bench.urls`` adds ``/bench/baseline/``, a bare view returning the same rows as the API's
  first page from one raw SQL query; it exists in these settings only.

The database comes from DATABASE_URL, which ``python -m bench`` points at a database of its own.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-insecure-key-never-in-production")

from .base import cache_settings, env  # noqa: E402
from .production import *  # noqa: E402,F403
from .production import REST_FRAMEWORK, STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
ROOT_URLCONF = "bench.urls"

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "1000000/min",
    "user": "1000000/min",
    "token": "1000000/min",
}

_BENCH_CACHE = cache_settings(env("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15"), "bench")
CACHES = {
    "default": {**_BENCH_CACHE, "KEY_PREFIX": "counters"},
    "pages": {**_BENCH_CACHE, "KEY_PREFIX": "pages"},
}
# Sessions as production keeps them with a shared cache (pipeline.settings.base): read from
# Redis, written through to the database. (Before, the bench read every signed-in request's
# session from its table, a query production does not make.)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "60"))
PART_CACHE_SECONDS = int(env("PART_CACHE_SECONDS", "60"))
# Writes are rate limited per person as in production, at rates the load cannot reach.
PIPELINE_RATE_LIMITS = dict.fromkeys(("pledge", "join", "update", "token"), "1000000/h")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
