"""What the workers and the scheduler share through the database."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One row per schedule and due time. It is inserted in the same transaction as the task it
    queues, and the unique constraint lets only one scheduler do so: two schedulers running at
    once queue each tick once, by the database's word, not by timing."""

    name = models.CharField(_("schedule"), max_length=100)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    # Empty for the first tick a scheduler sees of a schedule: recorded, not run (cron's rule:
    # nothing from before it started). After that, a missed tick is run once, late.
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-due_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "due_at"], name="one_run_per_schedule_tick")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A worker process says every few seconds that it is alive. A task left running by a
    worker that stopped saying so was cut off (killed, out of memory, machine lost): the
    scheduler puts it back in the queue for another worker."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
