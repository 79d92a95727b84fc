"""The mixed run's report says which pages the page cache lacked, so a hit ratio under its
budget points at the pages that cost it."""

import asyncio

from bench import mixed


async def _serve_and_load(paths_missed: set[str], requests: list[mixed.Request]) -> dict:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            path = line.split()[1].decode()
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            state = "miss" if path in paths_missed else "hit"
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Page-Cache: "
                + state.encode()
                + b"\r\n\r\nok"
            )
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        results = {}
        for request in requests:
            found = await mixed.run(
                "127.0.0.1", port, None, rate=100, seconds=0.2, connections=2, only=request
            )
            results[request.kind] = found[mixed.ANON]
    finally:
        server.close()
        await server.wait_closed()
    return results


def test_the_report_counts_page_cache_misses_by_kind_of_page():
    home = mixed.Request("GET", "/", kind="home")
    listing = mixed.Request("GET", "/projects/", kind="listing")
    results = asyncio.run(_serve_and_load({"/"}, [home, listing]))

    missed = mixed.summary(results["home"])
    assert missed["page_cache_hits"] == 0
    assert missed["page_cache_misses_by_kind"] == {"home": missed["page_cache_misses"]}
    assert missed["page_cache_misses"] > 0
    served = mixed.summary(results["listing"])
    assert served["page_cache_misses_by_kind"] == {}
    assert served["page_cache_hit_ratio"] == 1.0
