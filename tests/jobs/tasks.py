"""A task for the worker tests: it loses its database in the middle of its first try."""

import threading

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from jobs.models import ScheduledRun


@task(takes_context=True)
def cut_off_on_first_try(context: TaskContext, name: str, refuse_for: float = 0) -> int:
    """Writes a ``ScheduledRun`` called ``name``; on its first try its connection is cut inside
    the transaction, as when PostgreSQL restarts under a running task. With ``refuse_for`` the
    database also refuses new connections for that long, so the worker cannot even record how
    the task ended."""
    with transaction.atomic():
        ScheduledRun.objects.create(name=name, due_at=timezone.now())
        if context.attempt == 1:
            if refuse_for:
                _refuse_connections_for(refuse_for)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    return context.attempt


def _refuse_connections_for(seconds: float) -> None:
    db = connection.settings_dict

    def allow(allowed: bool) -> None:
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'ALTER DATABASE "{db["NAME"]}" WITH ALLOW_CONNECTIONS {allowed}')

    allow(False)
    threading.Timer(seconds, allow, [True]).start()
