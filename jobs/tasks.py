"""Housekeeping the scheduler queues: Django's and Wagtail's own commands, and pruning."""

from django.conf import settings
from django.core.management import call_command
from django_tasks import task

from . import services

# Commands the scheduler may run as tasks (a task row names one; nothing else is run).
COMMANDS = frozenset({"publish_scheduled", "clearsessions", "prune_idempotency_keys"})


@task()
def run_command(command: str, scheduled_for: str = "") -> None:
    """Wagtail's publish_scheduled, Django's clearsessions, our prune_idempotency_keys."""
    if command not in COMMANDS:
        raise ValueError(f"{command} is not a command the scheduler runs")
    call_command(command, verbosity=0)


@task()
def prune_finished(scheduled_for: str = "") -> None:
    """Finished task results (django-tasks-db's own command), scheduled runs and heartbeats."""
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=settings.TASKS_KEEP_DAYS,
        verbosity=0,
    )
    services.history_prune(older_than_days=settings.TASKS_KEEP_DAYS)
