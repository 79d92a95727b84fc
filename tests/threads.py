"""Run one function in many threads at once, for the PostgreSQL concurrency tests."""

import threading

from django.db import connection


def run_at_once(count: int, target) -> list:
    """``target(index)`` in ``count`` threads released together by a barrier; each result, or
    the exception a thread raised, in thread order. Each thread closes its own connection."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = target(index)
        except BaseException as exc:  # noqa: BLE001 - returned for the test to report
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results
