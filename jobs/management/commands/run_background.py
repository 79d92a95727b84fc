"""Everything in the background in one command: N workers and a scheduler, as child processes.

`make worker` runs this, and `make run` starts it beside runserver. A child that exits on its
own is started again after a second; SIGTERM or Ctrl+C stops them all (each worker finishes
the task in hand). In production you may instead run `run_worker` and `run_scheduler` under
your own process manager.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

MANAGE = str(Path(__file__).resolve().parents[3] / "manage.py")


class Command(BaseCommand):
    help = "Run task workers and the scheduler together until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (2).")
        parser.add_argument("--no-scheduler", action="store_true", help="Workers only.")

    def handle(self, *args, workers: int, no_scheduler: bool, **options) -> None:
        commands = [["run_worker", "--no-reload"] for _ in range(workers)]
        if not no_scheduler:
            commands.append(["run_scheduler"])
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        def start(command: list[str]) -> subprocess.Popen:
            return subprocess.Popen([sys.executable, MANAGE, *command])  # noqa: S603

        children = [start(command) for command in commands]
        self.stdout.write(
            f"Background work: {workers} worker(s)"
            + ("" if no_scheduler else " and the scheduler")
            + " (Ctrl+C stops them)"
        )
        while not stopping:
            time.sleep(0.5)
            for index, child in enumerate(children):
                if child.poll() is not None and not stopping:
                    self.stderr.write(f"{' '.join(commands[index])} exited; starting it again")
                    time.sleep(1)
                    children[index] = start(commands[index])
        # Ctrl+C in a terminal reaches the children too, and a worker takes a second signal as
        # "stop now, mid-task": give them a moment to stop by themselves before asking.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(c.poll() is None for c in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
