"""The scheduler: queues each configured job once per due time, on the same queue as all work.

``PIPELINE_SCHEDULE`` names each job, its cron expression (cronsim; in ``TIME_ZONE``) and the
task to queue. Every few seconds ``scheduler_tick`` looks, for each job, at the latest due time
at or before now. If that time has no ``ScheduledRun`` row yet, it inserts one and queues the
task in the same transaction. So:

- two schedulers at once: both try to insert the same (job, due time) row; the unique
  constraint lets one commit and the other gets an IntegrityError and queues nothing;
- after downtime only the latest missed time is run, once (not one run per missed tick);
- the first time a job is seen its latest time is recorded without running, as cron would.

Each queued task is called with ``scheduled_for`` (the due time, ISO 8601) so it can key its
work on the tick.
"""

import datetime
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str
    task: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def latest_due(self, now: datetime.datetime) -> datetime.datetime:
        """The latest time at or before ``now`` that the cron expression names."""
        local = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)
        return next(CronSim(self.cron, local + datetime.timedelta(seconds=1), reverse=True))


def schedules() -> list[Schedule]:
    """The configured jobs, checked: a bad cron expression stops the scheduler at start."""
    jobs = []
    for name, spec in settings.PIPELINE_SCHEDULE.items():
        if not spec.get("cron"):
            continue  # switched off
        try:
            CronSim(spec["cron"], timezone.now())
        except CronSimError as exc:
            raise ImproperlyConfigured(f"PIPELINE_SCHEDULE[{name!r}]: {exc}") from exc
        jobs.append(
            Schedule(
                name=name,
                cron=spec["cron"],
                task=spec["task"],
                args=tuple(spec.get("args", ())),
                kwargs=dict(spec.get("kwargs", {})),
            )
        )
    return jobs


def scheduler_tick(now: datetime.datetime | None = None) -> list[str]:
    """Queue every job that is due and not yet queued for that time; the names queued."""
    now = now or timezone.now()
    queued = []
    for schedule in schedules():
        due = schedule.latest_due(now)
        last = (
            ScheduledRun.objects.filter(name=schedule.name)
            .order_by("-due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        if last is not None and last >= due:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=schedule.name, due_at=due)
                if last is None:
                    continue  # first sight: start from here
                task = import_string(schedule.task)
                result = task.enqueue(
                    *schedule.args, scheduled_for=due.isoformat(), **schedule.kwargs
                )
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another scheduler queued this one
        logger.info("Queued %s for %s", schedule.name, due.isoformat())
        queued.append(schedule.name)
    return queued
