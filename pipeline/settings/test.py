"""Test runs: fast hashing, in-memory email, tasks run at once."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

# The concurrency tests run up to 50 threads in one process, each holding a connection.
if "pool" in DATABASES["default"].setdefault("OPTIONS", {}):
    DATABASES["default"]["OPTIONS"]["pool"].update(max_size=60, timeout=60)

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
PIPELINE_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Off for the suite (each test would otherwise see pages cached by the one before, whose rows
# were rolled back without a commit); tests/pipeline/test_pagecache.py turns it on.
PAGE_CACHE_SECONDS = 0
PAGE_CACHE_HEADER = True
# Single sign-on: the test provider (tests/sso/provider) serves http:// on the loopback.
SSO_ALLOW_LOOPBACK_ISSUER = True

# The test client and live server speak plain http; never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
