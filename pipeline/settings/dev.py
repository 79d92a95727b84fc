"""Local demo: debug on, console email, a throwaway secret when none is set."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

from .base import *  # noqa: E402,F403

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # `make run` has the web server, a worker and the scheduler writing to one SQLite file:
    # take the write lock when a transaction starts (so none fails half-way with "database is
    # locked") and wait up to 20 s for it; WAL lets readers carry on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {"timeout": 20, "transaction_mode": "EXCLUSIVE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Single sign-on: a provider on this machine may serve plain http:// on the loopback.
SSO_ALLOW_LOOPBACK_ISSUER = True

# Passkeys over plain http on this machine (WebAuthn wants https otherwise); never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
