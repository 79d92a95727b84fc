"""The mixed run's and the signed-in budgets fail, naming themselves, when missed."""

from bench import budgets, mixed


def results(**overrides) -> dict:
    base = {"key": "baseline", "label": "baseline", "group": "baseline", "queries": 1,
            "count_queries": 0, "p50_ms": 5, "p95_ms": 6, "p99_ms": 9, "errors": 0,
            "error_kinds": {}, "ratio": 1.0, "miss_ms": 5.0}  # fmt: skip
    page = {**base, "key": "project_page", "label": "busiest project page",
            "group": "project_page", "ratio": 2.0, "queries": 3, "signed_in_ms": 40.0,
            "signed_in_baseline_ms": 5.0, "signed_in_ratio": 0.125}  # fmt: skip
    klass = {"requests": 100, "ok": 100, "errors": 0, "error_kinds": {}, "rps": 77.0,
             "p50_ms": 10.0, "p95_ms": 40.0, "p99_ms": 90.0}  # fmt: skip
    portfolio = {"key": "national_portfolio", "label": "national portfolio (organiser)",
                 "group": "council_page", "as": "organiser", "queries": 6, "queries_small": 6,
                 "signed_in_ms": 10.0, "signed_in_baseline_ms": 5.0,
                 "signed_in_ratio": 0.5}  # fmt: skip
    out = {
        "endpoints": [page, base],
        "signed_in_endpoints": [portfolio],
        "load": {"connections": 12},
        "dataset": {"build_seconds": 0, "ledger": {"mismatches": None}},
        "server": {"worker_peak_rss_mb": [120.0]},
        "mixed": {
            "classes": {k: dict(klass) for k in mixed.CLASSES},
            "writes_per_second": 5.5,
            "anonymous_hit_ratio": 0.95,
        },
    }
    for path, value in overrides.items():
        target = out
        *parents, last = path.split(".")
        for part in parents:
            target = target[part] if not isinstance(target, list) else target[int(part)]
        target[last] = value
    return out


def failed(res: dict) -> set[str]:
    return {c.name for c in budgets.check(res) if not c.ok}


def test_all_within_budget():
    assert failed(results()) == set()


def test_each_missed_budget_is_named():
    res = results(
        **{"mixed.writes_per_second": 4.0, "mixed.anonymous_hit_ratio": 0.8},
    )
    res["mixed"]["classes"]["signed_in"]["p99_ms"] = 150.0
    res["mixed"]["classes"]["write"]["errors"] = 2
    res["endpoints"][0]["signed_in_ratio"] = 0.09
    res["signed_in_endpoints"][0].update(queries=7, signed_in_ratio=0.2)
    assert failed(res) == {
        "queries constant: national portfolio (organiser)",
        "signed in, uncached: national portfolio (organiser)",
        "mixed: writes a second",
        "mixed: anonymous page-cache hits while writes run",
        "mixed p99: signed_in",
        "mixed errors: write",
        "signed in, uncached: busiest project page",
    }


def test_the_schedule_is_seventy_twenty_five_five():
    counts = {k: mixed.PATTERN.count(k) / len(mixed.PATTERN) for k in mixed.CLASSES}
    assert counts == {mixed.ANON: 0.70, mixed.OFFICER: 0.25, mixed.WRITE: 0.05}
