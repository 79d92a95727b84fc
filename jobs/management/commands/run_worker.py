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
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.services import task_run_again_after_database_loss, worker_heartbeat, worker_stopped

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
        task_started.connect(self._took, weak=False)
        task_finished.connect(self._ended, weak=False)
        self._held: str | None = None  # the task in hand, until it ends and that is recorded
        heartbeat = Heartbeat(worker_id, settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            for lost in itertools.count():
                try:
                    if self._held is not None:
                        task_run_again_after_database_loss(result_id=self._held)
                        self._held = None
                    super().handle(*args, worker_id=worker_id, **options)
                    break
                except DatabaseError:
                    # The database went away (a restart, a failover, dropped connections):
                    # keep the worker alive until it is back, then queue again the task it
                    # held, if it could not record how that ended.
                    logger.warning("Database lost; trying again", exc_info=True)
                    connections.close_all()
                    time.sleep(min(0.5 * 2**lost, 5.0))
        finally:
            heartbeat.stop()

    def _took(self, sender, task_result, **kwargs) -> None:
        self._held = task_result.id

    def _ended(self, sender, task_result, **kwargs) -> None:
        """A task failed only by a lost connection, while the database was back in time to
        record it, goes back to the queue."""
        if task_result.status == TaskResultStatus.FAILED:
            task_run_again_after_database_loss(result_id=task_result.id)
        self._held = None  # (not before: if the database is gone again, it is still held)
