"""The scheduler queues each job once per due time, catches up once after downtime, and is
safe with two schedulers at once; tasks cut off by a dead worker go back to the queue."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.models import ScheduledRun, WorkerHeartbeat
from jobs.scheduler import scheduler_tick
from jobs.services import tasks_recover_stalled
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAILY = {"digest-daily": {"cron": "0 7 * * *", "task": "mail.tasks.prune_deliveries"}}


@pytest.fixture
def one_job(settings):
    settings.PIPELINE_SCHEDULE = DAILY
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=LONDON)


def queued() -> list[str]:
    return list(
        DBTaskResult.objects.filter(task_path="mail.tasks.prune_deliveries").values_list(
            "args_kwargs__kwargs__scheduled_for", flat=True
        )
    )


def test_a_job_runs_once_at_each_due_time_in_local_time(one_job):
    assert scheduler_tick(at(1, 6)) == []  # first sight: recorded, not run
    assert scheduler_tick(at(1, 6, 59)) == []
    assert scheduler_tick(at(1, 7)) == ["digest-daily"]  # 07:00 British Summer Time
    assert scheduler_tick(at(1, 7, 1)) == []
    assert scheduler_tick(at(1, 23)) == []
    assert queued() == ["2026-06-01T07:00:00+01:00"]


def test_after_downtime_it_catches_up_once_not_once_per_missed_tick(one_job):
    scheduler_tick(at(1, 8))
    # Down from the 1st to the 5th: four 07:00s missed.
    assert scheduler_tick(at(5, 12)) == ["digest-daily"]
    assert scheduler_tick(at(5, 12, 1)) == []
    assert queued() == ["2026-06-05T07:00:00+01:00"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_queue_each_tick_once(one_job):
    scheduler_tick(at(1, 8))

    results = run_at_once(8, lambda _index: scheduler_tick(at(2, 7)))

    assert sorted(results) == [[]] * 7 + [["digest-daily"]]
    assert queued() == ["2026-06-02T07:00:00+01:00"]
    assert ScheduledRun.objects.filter(name="digest-daily").count() == 2


# --- tasks cut off by a dead worker -------------------------------------------------------


def _running(worker_ids: list[str], started_ago: int = 120) -> DBTaskResult:
    from mail.tasks import prune_deliveries

    result = prune_deliveries.using(backend="default").enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - datetime.timedelta(seconds=started_ago)
    row.worker_ids = worker_ids
    row.save()
    return row


def test_a_task_whose_worker_stopped_beating_is_queued_again(settings, one_job):
    settings.WORKER_DEAD_AFTER_SECONDS = 30
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", seen_at=now - datetime.timedelta(minutes=5))
    on_live = _running(["alive"])
    on_dead = _running(["dead"])
    just_started = _running(["unknown"], started_ago=1)

    assert tasks_recover_stalled(now) == (1, 0)

    for row in (on_live, on_dead, just_started):
        row.refresh_from_db()
    assert on_dead.status == TaskResultStatus.READY
    assert on_live.status == just_started.status == TaskResultStatus.RUNNING


def test_a_task_that_keeps_killing_its_workers_is_failed_not_run_forever(settings, one_job):
    settings.TASK_MAX_WORKER_LOSSES = 3
    poison = _running(["w1", "w2", "w3"])
    assert tasks_recover_stalled() == (0, 1)
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == "jobs.WorkerLost"
