"""A django-tasks-db worker that also says, every few seconds, that it is alive.

Run as many as you need (`manage.py run_worker`), on any machine. Each takes the next ready task
from the PostgreSQL queue (row locks with SKIP LOCKED, so no two take the same one). A heartbeat
thread writes ``jobs.WorkerHeartbeat``; when a worker dies mid-task (SIGKILL, out of memory, a
lost machine) its heartbeat stops and the scheduler puts the task back for another worker. A
task cut off by a lost database connection is queued again by its own worker.
SIGTERM or Ctrl+C finishes the task in hand, then stops.
"""

import itertools
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.backends.signals import connection_created
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.services import (
    task_retry_if_database_lost,
    tasks_release,
    worker_heartbeat,
    worker_stopped,
)

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    worker_heartbeat(worker_id=self.worker_id)
                except Exception:  # noqa: BLE001 - a database blip: beat again next time
                    logger.warning("Heartbeat failed", exc_info=True)
                    connection.close()
                if self.stopping.wait(self.every):
                    break
            worker_stopped(worker_id=self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


def _commit_asynchronously(sender, connection, **kwargs) -> None:
    """A worker's own commits (claiming a task, marking an email sent) need not wait for the
    disk: if PostgreSQL itself crashed in the next fraction of a second, the task would run
    again and find its work done, or send an email a second time (the same at-least-once window
    as a worker dying after the server accepted it). What a web request writes, the outbox
    included, stays synchronous. About a third more emails per second on a slow disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def _run_again_if_database_lost(sender, task_result, **kwargs) -> None:
    if task_result.status == TaskResultStatus.FAILED:
        task_retry_if_database_lost(result_id=task_result.id)


class Command(DbWorkerCommand):
    help = (
        "Run a background worker on the database queue (django-tasks-db's db_worker with a "
        "heartbeat, so a task cut off by a dead worker is run again by another)."
    )

    def configure_logging(self, verbosity: int) -> None:
        """Quieter than db_worker: a line per task only from verbosity 2 (``make run`` prints
        the demo's emails in the same terminal); warnings and errors always."""
        level = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO}.get(
            verbosity, logging.DEBUG
        )
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(level)

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(interval=settings.TASKS_WORKER_INTERVAL)

    def handle(self, *args, worker_id: str, **options) -> None:
        if not settings.TASKS_WORKER_SYNCHRONOUS_COMMIT:
            connection_created.connect(_commit_asynchronously, weak=False)
            connections.close_all()
        task_finished.connect(_run_again_if_database_lost, weak=False)
        heartbeat = Heartbeat(worker_id, settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            for lost in itertools.count():
                try:
                    if lost:
                        tasks_release(worker_id=worker_id)
                    super().handle(*args, worker_id=worker_id, **options)
                    break
                except DatabaseError:
                    # The database went away (a restart, a failover, dropped connections):
                    # keep the worker alive until it is back, then queue again the task it
                    # held, if any (a task cut off by the same loss while the database stayed up
                    # is queued again as it ends: _run_again_if_database_lost).
                    logger.warning("Database lost; trying again", exc_info=True)
                    connections.close_all()
                    time.sleep(min(0.5 * 2**lost, 5.0))
        finally:
            heartbeat.stop()
