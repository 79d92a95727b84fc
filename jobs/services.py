"""Keeping the queue honest: worker heartbeats, tasks cut off by a dead worker, old history."""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import ScheduledRun, WorkerHeartbeat

logger = logging.getLogger(__name__)


def worker_heartbeat(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "pid": os.getpid(), "hostname": socket.gethostname()},
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def tasks_recover_stalled(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Tasks still marked running by a worker that has stopped beating go back to the queue
    for another worker; (requeued, failed). A task that has already cut off
    ``TASK_MAX_WORKER_LOSSES`` workers is failed instead, so a task that kills its worker
    (running out of memory, say) is not run forever. Safe with two schedulers at once: each
    row is locked, and skipped if another has it."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = failed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            if len(result.worker_ids) >= settings.TASK_MAX_WORKER_LOSSES:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "jobs.WorkerLost"
                result.traceback = (
                    f"The worker running this task stopped {len(result.worker_ids)} times "
                    f"(last: {result.worker_ids[-1]}); it is not tried again."
                )
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.error("Task %s failed: its workers kept dying", result.id)
                continue
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            requeued += 1
            logger.warning(
                "Task %s (%s) was cut off on worker %s; queued again",
                result.id,
                result.task_path,
                result.worker_ids[-1] if result.worker_ids else "?",
            )
    return requeued, failed


# What a task raises when its database connection is cut (a restart, a failover, dropped
# connections): its transaction was rolled back, so it has done nothing and may run again.
DATABASE_LOST = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")


def task_run_again_after_database_loss(*, result_id: str) -> bool:
    """The task ``result_id``, cut off by a lost database connection, goes back to the queue (the
    tasks are written to be run twice safely), a little later each time, as one cut off by a
    dead worker does; after ``TASK_MAX_WORKER_LOSSES`` tries it is failed for good. Whether it
    failed from the lost connection or is still marked running (its worker could not even
    record how it ended), it has done nothing: its transaction was rolled back."""
    now = timezone.now()
    with transaction.atomic():
        result = (
            DBTaskResult.objects.select_for_update()
            .filter(
                Q(status=TaskResultStatus.RUNNING)
                | Q(status=TaskResultStatus.FAILED, exception_class_path__in=DATABASE_LOST),
                pk=result_id,
            )
            .first()
        )
        if result is None:
            return False
        tries = len(result.worker_ids)
        if tries >= settings.TASK_MAX_WORKER_LOSSES:
            logger.error(
                "Task %s (%s) lost its database %s times", result.id, result.task_path, tries
            )
            result.status = TaskResultStatus.FAILED
            result.finished_at = now
            result.exception_class_path = "jobs.DatabaseLost"
            result.traceback = f"The task lost its database {tries} times; it is not tried again."
            result.save(
                update_fields=["status", "finished_at", "exception_class_path", "traceback"]
            )
            return False
        result.status = TaskResultStatus.READY
        result.run_after = now + datetime.timedelta(seconds=2**tries)
        result.finished_at = None
        result.save(update_fields=["status", "run_after", "finished_at"])
        logger.warning("Task %s (%s) lost its database; queued again", result.id, result.task_path)
        return True


def history_prune(*, older_than_days: int) -> int:
    """Forget scheduled runs and heartbeats of long-gone workers (task results are pruned by
    django-tasks-db's own command)."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    runs, _ = ScheduledRun.objects.filter(due_at__lt=cutoff).delete()
    beats, _ = WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return runs + beats
