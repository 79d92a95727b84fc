"""`make bench-mail`: the bench settings (production over plain HTTP on the loopback), with
tasks on the database queue and email over SMTP to the bench's own server on the loopback."""

import os

from pipeline.settings.bench import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8025"))
