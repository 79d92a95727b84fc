"""The scheduler process: queues PIPELINE_SCHEDULE's jobs when due and rescues tasks cut off by
dead workers. Running two (say, one per machine) is safe; see jobs.scheduler."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jobs.scheduler import scheduler_tick, schedules
from jobs.services import tasks_recover_stalled

logger = logging.getLogger("jobs.scheduler")


class Command(BaseCommand):
    help = (
        "Queue scheduled jobs (digests, dormancy nudges, publish_scheduled, clearsessions, "
        "pruning) on the task queue when they are due, and put tasks cut off by a dead worker "
        "back in the queue. Safe to run more than one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between looks (default 10)."
        )
        parser.add_argument("--once", action="store_true", help="Look once, then exit.")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        names = ", ".join(s.name for s in schedules())
        self.stdout.write(f"Scheduler started: {names}")
        stopping = threading.Event()

        def stop(signum, frame) -> None:
            stopping.set()

        if not once:
            signal.signal(signal.SIGINT, stop)
            signal.signal(signal.SIGTERM, stop)
        while True:
            close_old_connections()
            try:
                scheduler_tick()  # logs what it queues
                requeued, failed = tasks_recover_stalled()
                if requeued or failed:
                    self.stdout.write(
                        f"Tasks cut off by a dead worker: {requeued} queued again, {failed} failed"
                    )
            except Exception:  # noqa: BLE001 - a database blip must not stop the scheduler
                logger.exception("Scheduler tick failed; trying again")
            if once or stopping.wait(interval):
                break
