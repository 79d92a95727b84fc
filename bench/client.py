"""A small HTTP/1.1 load generator: asyncio streams, a fixed number of connections, loopback only.

Each connection sends one request at a time and reuses the connection while the server keeps it
open (gunicorn's sync workers close it after each response, as they would behind a proxy, so then
each request opens a new one; connecting is inside the measured time). A run stops after
``max_requests`` requests or ``max_seconds``, whichever comes first.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import Counter
from dataclasses import dataclass, field

TIMEOUT_SECONDS = 30.0


class HttpError(Exception):
    pass


@dataclass
class LoadResult:
    path: str
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    errors: Counter = field(default_factory=Counter)
    bytes_received: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, in ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


def _check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"The bench client only talks to loopback addresses, not {host}")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server keeps the connection open)."""
    status, _headers, body, keep_alive = await read_response(reader)
    return status, body, keep_alive


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers with lower-case names, body, server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    else:
        body = await reader.read()
        keep_alive = False
    return status, headers, body, keep_alive


async def fetch(host: str, port: int, path: str) -> tuple[int, bytes]:
    """One GET on a fresh connection (for setting up: finding URLs, warming up)."""
    _check_loopback(host)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(_request(host, port, path, close=True))
        await writer.drain()
        status, body, _keep = await asyncio.wait_for(_read_response(reader), TIMEOUT_SECONDS)
        return status, body
    finally:
        writer.close()


def _request(
    host: str, port: int, path: str, *, close: bool = False, headers: dict[str, str] | None = None
) -> bytes:
    """A GET; ``headers`` add to or replace the defaults (a cookie, the proxy's headers)."""
    fields = {
        "Host": f"{host}:{port}",
        "User-Agent": "pipeline-bench",
        "Accept": "*/*",
        "Connection": "close" if close else "keep-alive",
        **(headers or {}),
    }
    lines = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return f"GET {path} HTTP/1.1\r\n{lines}\r\n".encode("latin-1")


async def load(
    host: str,
    port: int,
    path: str,
    *,
    connections: int = 12,
    max_requests: int = 2000,
    max_seconds: float = 20.0,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """GET ``path`` over ``connections`` connections until the request or time bound."""
    _check_loopback(host)
    result = LoadResult(path=path)
    request = _request(host, port, path, headers=headers)
    issued = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    async def connection_loop() -> None:
        nonlocal issued
        reader = writer = None
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                await writer.drain()
                status, body, keep_alive = await asyncio.wait_for(
                    _read_response(reader), TIMEOUT_SECONDS
                )
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                result.errors[type(exc).__name__] += 1
                keep_alive = False
            except (TimeoutError, HttpError) as exc:
                result.errors[type(exc).__name__] += 1
                keep_alive = False
            else:
                result.bytes_received += len(body)
                if status == 200:
                    result.latencies_ms.append((time.perf_counter() - t0) * 1000)
                else:
                    result.errors[f"HTTP {status}"] += 1
            if not keep_alive and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    result.requests = issued
    return result
