"""A real SMTP server on the loopback (aiosmtpd), for the mail tests and `make bench-mail`.

It records each accepted message with the time it arrived and counts connections. It can
answer every message with a given reply (``451 …`` for a temporary refusal), and hold the nth
message so a test can kill the sending worker in that moment: at its recipient, before the
message is complete (a sender that vanishes then leaves nothing), or after its final dot, kept
before the answer as a real server queues it, whether or not the sender stays to hear.
Ports come from ``SMTP_TEST_PORTS`` (default 8500-8600).
"""

import asyncio
import email
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    """The first port of ``SMTP_TEST_PORTS`` nothing listens on. Each test process has a range
    of its own (tests/conftest.py): a server that is not listening yet (one that refuses
    connections for a while) leaves its port looking free to the others."""
    ports = range(*map(int, os.environ.get("SMTP_TEST_PORTS", "8500-8600").split("-")))
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


@dataclass
class Received:
    to: list[str]
    subject: str
    message_id: str
    body: str
    at: float


@dataclass
class Recorder:
    messages: list[Received] = field(default_factory=list)
    sessions: list = field(default_factory=list)
    reply: str | None = None  # e.g. "451 4.3.0 Try again later"
    hold_at: int | None = None  # hold the nth message (1-based) until released
    hold_in: str = "data"  # "rcpt": before the message is complete; "data": after its dot
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0

    async def _hold(self, stage: str) -> None:
        if self.hold_in == stage:
            self.seen += 1
            if self.hold_at == self.seen:
                self.reached.set()
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, self.release.wait, 60)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        await self._hold("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)
        if self.reply:
            return self.reply
        parsed = email.message_from_bytes(envelope.content)
        self.messages.append(
            Received(
                to=list(envelope.rcpt_tos),
                subject=str(
                    email.header.make_header(email.header.decode_header(parsed["Subject"]))
                ),
                message_id=parsed["Message-ID"],
                body=parsed.get_payload(decode=True).decode(),
                at=time.time(),
            )
        )
        await self._hold("data")  # kept, as a real server queues it, before it answers
        return "250 OK"

    @property
    def connections(self) -> int:
        return len(self.sessions)


class SMTPServer:
    """``with SMTPServer(port) as server:`` … ``server.recorder.messages``; ``start()`` and
    ``stop()`` to refuse connections for a while."""

    def __init__(self, port: int | None = None, recorder: Recorder | None = None):
        self.port = port or free_port()
        self.recorder = recorder or Recorder()
        self.controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> "SMTPServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
