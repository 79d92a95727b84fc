"""Settings for the worker and scheduler processes the PostgreSQL tests start: the test
settings with the database queue, SMTP to the test's server, and short timings."""

import os

from pipeline.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("TEST_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 5
MAIL_RETRY_SECONDS = 0.2
MAIL_RETRY_MAX_SECONDS = 1
MAIL_MAX_ATTEMPTS = 50
MAIL_BATCH_SIZE = 50
TASKS_WORKER_INTERVAL = 0.1
WORKER_HEARTBEAT_SECONDS = 0.3
WORKER_DEAD_AFTER_SECONDS = 2
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
if "pool" in DATABASES["default"]["OPTIONS"]:  # noqa: F405
    # A database that is gone is given up on after 2 s (10 s in production), so the tests'
    # outages outlast it.
    DATABASES["default"]["OPTIONS"]["pool"]["timeout"] = 2  # noqa: F405
