"""The queue end to end on PostgreSQL: real worker and scheduler processes (manage.py
run_worker, run_scheduler) and a real SMTP server. Nothing lost, nothing sent twice, when the
mail server refuses connections for a while, when a worker is killed in the middle of a digest
batch, and when two schedulers run at once."""

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import NotificationFrequency
from bench.smtp import SMTPServer
from jobs.models import ScheduledRun
from jobs.services import DATABASE_LOST
from mail.models import Delivery, DeliveryStatus
from projects.models import Follow, Notification, NotificationKind
from projects.notifications import send_digests
from projects.services.people import update_post
from tests.factories import UserFactory, published_project
from tests.jobs.tasks import cut_off_on_first_try

from .conftest import DATABASE_QUEUE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


class Processes:
    """Worker and scheduler processes on the test database; all stopped at the end."""

    def __init__(self, smtp_port: int):
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.mail.worker_settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            ),
            "TEST_SMTP_PORT": str(smtp_port),
        }
        self.running: list[subprocess.Popen] = []

    def start(self, *command: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *command], cwd=ROOT, env=self.env
        )
        self.running.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        return self.start("run_worker", "--no-reload", "--no-startup-delay", "--verbosity", "0")

    def scheduler(self) -> subprocess.Popen:
        return self.start("run_scheduler", "--interval", "0.3")

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(settings):
    settings.TASKS = DATABASE_QUEUE
    server = SMTPServer()
    running = Processes(server.port)
    yield server, running
    running.stop()
    server.stop()


def wait_for(condition, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def received_once_each(server: SMTPServer, people) -> None:
    time.sleep(2)  # anything sent twice would arrive by now
    counts = Counter(m.to[0] for m in server.recorder.messages)
    assert counts == {p.email: 1 for p in people}


def _all_sent(count: int):
    return lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() >= count


def test_a_mail_server_that_refuses_connections_for_a_while_gets_every_email_once(processes):
    server, running = processes
    project = published_project()
    readers = UserFactory.create_batch(20, notification_frequency=NotificationFrequency.IMMEDIATE)
    Follow.objects.bulk_create(Follow(user=r, project=project) for r in readers)
    update_post(actor=project.owner, project=project, title="Beta is live", body="Try it")

    running.worker()
    running.worker()
    # Nothing listens on the port yet: every attempt is refused and retried with backoff.
    wait_for(lambda: Delivery.objects.filter(attempts__gte=2).count() == 20, what="refused tries")
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT).exists()
    server.start()

    wait_for(_all_sent(20), what="every email sent")
    received_once_each(server, readers)
    assert all("Beta is live" in m.subject for m in server.recorder.messages)
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def _daily_readers(count: int):
    project = published_project()
    readers = UserFactory.create_batch(count, notification_frequency=NotificationFrequency.DAILY)
    Notification.objects.bulk_create(
        Notification(user=r, kind=NotificationKind.NEW_PROJECT, project=project) for r in readers
    )
    return readers


@pytest.mark.parametrize(
    ("hold_in", "kept"),
    [
        ("rcpt", 9),  # the 10th is half-told to the server, not yet recorded sent
        ("data", 10),  # the 10th is recorded sent and the server has all of it
    ],
    ids=["before the commit", "after the commit"],
)
def test_a_worker_killed_mid_digest_batch_loses_nothing_and_duplicates_nothing(
    processes, hold_in, kept
):
    server, running = processes
    readers = _daily_readers(30)
    server.recorder.hold_at, server.recorder.hold_in = 10, hold_in
    server.start()
    send_digests("daily")  # 30 digests, one batch: one task, one SMTP connection

    victim = running.worker()
    assert server.recorder.reached.wait(60), "the worker never reached the 10th digest"
    victim.send_signal(signal.SIGKILL)  # mid-batch: 9 sent, the 10th in flight
    victim.wait()
    server.recorder.release.set()
    wait_for(lambda: len(server.recorder.messages) >= 9, what="the server to settle")
    time.sleep(0.5)
    assert len(server.recorder.messages) == kept
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == kept

    running.worker()
    running.scheduler()  # sees the dead worker's heartbeat stop and queues its task again
    wait_for(_all_sent(30), what="the rest of the batch")
    received_once_each(server, readers)
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    batch = DBTaskResult.objects.get(task_path="mail.tasks.send_deliveries")
    assert len(batch.worker_ids) == 2  # taken over by the second worker


def test_two_schedulers_at_once_send_each_digest_once(processes):
    server, running = processes
    readers = _daily_readers(10)
    # The daily digest last ran three days ago; both schedulers find today's run due.
    ScheduledRun.objects.create(
        name="digest-daily", due_at=timezone.now() - datetime.timedelta(days=3)
    )
    server.start()

    running.scheduler()
    running.scheduler()
    running.worker()

    wait_for(_all_sent(10), what="the digests")
    received_once_each(server, readers)
    assert ScheduledRun.objects.filter(name="digest-daily").count() == 2


def test_a_worker_that_loses_its_database_between_tasks_carries_on(processes):
    server, running = processes
    server.start()
    worker = running.worker()
    time.sleep(3)  # idle, polling the queue every 0.1 s

    # The database goes away for 5 s, longer than the worker's pool waits for a connection:
    # every connection is cut off and new ones are refused.
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as admin:
        admin.execute(f'ALTER DATABASE "{db["NAME"]}" WITH ALLOW_CONNECTIONS false')
        try:
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [db["NAME"]],
            ).fetchone()[0]
            assert cut >= 1
            time.sleep(5)
        finally:
            admin.execute(f'ALTER DATABASE "{db["NAME"]}" WITH ALLOW_CONNECTIONS true')
    # The test's own pooled connections were cut off too: start its pool afresh rather than
    # wait for it to find out, one dead connection at a time.
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()

    project = published_project()
    readers = UserFactory.create_batch(5, notification_frequency=NotificationFrequency.IMMEDIATE)
    Follow.objects.bulk_create(Follow(user=r, project=project) for r in readers)
    update_post(actor=project.owner, project=project, title="Alpha report", body="Done")
    wait_for(_all_sent(5), timeout=60, what="the emails written after the outage")
    received_once_each(server, readers)
    assert worker.poll() is None, "the worker died with its database"


@pytest.mark.parametrize(
    "refuse_for",
    [0, 3],
    ids=["connection cut", "connection cut, then no connections for 3 s"],
)
def test_a_task_that_loses_its_database_mid_way_runs_again_once(processes, refuse_for):
    _, running = processes
    worker = running.worker()
    result = cut_off_on_first_try.enqueue(f"cut-off-{refuse_for}", refuse_for=refuse_for)

    def finished() -> bool:
        connection.close()  # the test's own connection may have been cut meanwhile
        try:
            status, exception = DBTaskResult.objects.values_list(
                "status", "exception_class_path"
            ).get(pk=result.id)
        except OperationalError:
            return False  # the database refuses connections for a while
        # A try cut off by the lost connection is recorded as failed for a moment, until the
        # worker's own handler queues it again: only a success or any other failure is final.
        return status == TaskResultStatus.SUCCESSFUL or (
            status == TaskResultStatus.FAILED and exception not in DATABASE_LOST
        )

    wait_for(finished, timeout=60, what="the task's second try")
    ran = DBTaskResult.objects.get(pk=result.id)
    assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
    assert ran.return_value == 2  # the second try got through
    assert ScheduledRun.objects.filter(name=f"cut-off-{refuse_for}").count() == 1
    assert worker.poll() is None, "the worker died with its database"
