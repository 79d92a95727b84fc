"""The performance budget (DESIGN.md §6), as checks over one bench run's results.

Machines here are shared and noisy, so throughput is judged as a ratio to the baseline view
measured in the same run, and deep pages against first pages of the same listing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The project page's delivery section (milestones, the latest status report and the count, the
# schedule) is kept with the project's other parts, so it is back within the pages' budget.
MAX_PAGE_QUERIES = 8
# The first reader after a change, with nothing kept (tests/bench/test_query_counts.py pins
# these): the delivery section and the benefit figures cost their queries again.
MAX_PAGE_QUERIES_COLD = 12
MAX_API_LIST_QUERIES = 6
MIN_API_PROJECTS_RATIO = 0.50
MIN_HTML_RATIO = 0.25
MAX_DEEP_TO_FIRST = 1.5
MAX_P99_MS = 250.0
MAX_BUILD_SECONDS = 180.0
MAX_WORKER_PEAK_MB = 250.0
# Uncached, as a signed-in officer gets them: the baseline's render time over theirs.
MIN_SIGNED_IN_RATIO = {
    "home": 0.25,
    "html_listing": 0.25,
    "council_page": 0.25,
    "project_page": 0.10,
    "api_projects": 0.50,
    "api_list": 0.50,
}
# The mixed run (bench.mixed): every class, while writes are committed.
MAX_MIXED_P99_MS = 150.0
MIN_MIXED_WRITES_PER_SECOND = 5.0
MIN_MIXED_HIT_RATIO = 0.90

# Endpoint groups (each endpoint in the run names one).
HOME = "home"
HTML_LISTING = "html_listing"
PROJECT_PAGE = "project_page"
COUNCIL_PAGE = "council_page"
API_PROJECTS = "api_projects"
API_LIST = "api_list"
BASELINE = "baseline"
PAGES = (HOME, HTML_LISTING, PROJECT_PAGE, COUNCIL_PAGE)
API_LISTS = (API_PROJECTS, API_LIST)
# Listings that must never COUNT(*) the whole result.
HOT_LISTINGS = (HTML_LISTING, API_PROJECTS, API_LIST)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def check(results: dict) -> list[Check]:
    """Every budget over ``results`` (the dict written to bench-results.json)."""
    endpoints = results["endpoints"]
    by_key = {e["key"]: e for e in endpoints}
    checks: list[Check] = []

    def add(name: str, ok: bool, detail: str) -> None:
        checks.append(Check(name, bool(ok), detail))

    for e in endpoints:
        if e["group"] == BASELINE:
            continue
        limit = MAX_PAGE_QUERIES if e["group"] in PAGES else MAX_API_LIST_QUERIES
        add(
            f"queries: {e['label']}",
            e["queries"] <= limit,
            f"{e['queries']} queries (budget ≤ {limit})",
        )
        if e.get("queries_small") is not None:
            add(
                f"queries constant: {e['label']}",
                e["queries_small"] == e["queries"],
                f"{e['queries']} on the busiest, {e['queries_small']} on a quiet one",
            )
        if e["group"] in HOT_LISTINGS:
            add(
                f"no COUNT(*): {e['label']}",
                not e["count_queries"],
                f"{e['count_queries']} COUNT queries" if e["count_queries"] else "none",
            )
        if e["group"] == API_PROJECTS:
            add(
                f"throughput: {e['label']}",
                e["ratio"] >= MIN_API_PROJECTS_RATIO,
                f"{e['ratio']:.0%} of baseline req/s (budget ≥ {MIN_API_PROJECTS_RATIO:.0%})",
            )
        if e["group"] in (HTML_LISTING, PROJECT_PAGE, COUNCIL_PAGE):
            add(
                f"throughput: {e['label']}",
                e["ratio"] >= MIN_HTML_RATIO,
                f"{e['ratio']:.0%} of baseline req/s (budget ≥ {MIN_HTML_RATIO:.0%})",
            )
    for e in endpoints:
        add(
            f"p99: {e['label']}",
            e["p99_ms"] < MAX_P99_MS,
            f"p99 {e['p99_ms']:.0f} ms at {results['load']['connections']} connections "
            f"(budget < {MAX_P99_MS:.0f} ms)",
        )
        add(f"errors: {e['label']}", e["errors"] == 0, f"{e['errors']} errors {e['error_kinds']}")
    # Deep pages are judged uncached (under load both would be cache hits) and under load.
    for first, deep in (("projects_first", "projects_deep"), ("api_first", "api_deep")):
        if first in by_key and deep in by_key:
            a, b = by_key[first], by_key[deep]
            for field, what in (("miss_ms", "uncached render"), ("p50_ms", "p50 under load")):
                ratio = b[field] / a[field]
                add(
                    f"deep page ({what}): {b['label']}",
                    ratio <= MAX_DEEP_TO_FIRST,
                    f"{ratio:.2f}× the first page's (budget ≤ {MAX_DEEP_TO_FIRST}×)",
                )
    for e in endpoints:
        floor = MIN_SIGNED_IN_RATIO.get(e["group"])
        if floor is not None and "signed_in_ratio" in e:
            add(
                f"signed in, uncached: {e['label']}",
                e["signed_in_ratio"] >= floor,
                f"{e['signed_in_ms']:.1f} ms, {e['signed_in_ratio']:.0%} of the baseline "
                f"({e['signed_in_baseline_ms']:.1f} ms; budget ≥ {floor:.0%})",
            )
    # Pages measured signed in only (the portfolios): the same query and render budgets.
    for e in results.get("signed_in_endpoints", []):
        add(
            f"queries: {e['label']}",
            e["queries"] <= MAX_PAGE_QUERIES,
            f"{e['queries']} queries (budget ≤ {MAX_PAGE_QUERIES})",
        )
        add(
            f"queries constant: {e['label']}",
            e["queries_small"] == e["queries"],
            f"{e['queries']} on the busiest, {e['queries_small']} on a quiet one",
        )
        floor = MIN_SIGNED_IN_RATIO[e["group"]]
        add(
            f"signed in, uncached: {e['label']}",
            e["signed_in_ratio"] >= floor,
            f"{e['signed_in_ms']:.1f} ms, {e['signed_in_ratio']:.0%} of the baseline "
            f"({e['signed_in_baseline_ms']:.1f} ms; budget ≥ {floor:.0%})",
        )
    mixed = results.get("mixed")
    if mixed:
        for klass, c in mixed["classes"].items():
            add(
                f"mixed p99: {klass}",
                c["p99_ms"] < MAX_MIXED_P99_MS,
                f"p99 {c['p99_ms']:.0f} ms (p50 {c['p50_ms']:.0f}, p95 {c['p95_ms']:.0f}; "
                f"budget < {MAX_MIXED_P99_MS:.0f} ms)",
            )
            add(
                f"mixed errors: {klass}",
                c["errors"] == 0,
                f"{c['errors']} errors {c['error_kinds']}",
            )
        add(
            "mixed: writes a second",
            mixed["writes_per_second"] >= MIN_MIXED_WRITES_PER_SECOND,
            f"{mixed['writes_per_second']:.1f} (budget ≥ {MIN_MIXED_WRITES_PER_SECOND:.0f})",
        )
        add(
            "mixed: anonymous page-cache hits while writes run",
            mixed["anonymous_hit_ratio"] >= MIN_MIXED_HIT_RATIO,
            f"{mixed['anonymous_hit_ratio']:.1%} (budget ≥ {MIN_MIXED_HIT_RATIO:.0%})",
        )
    build = results["dataset"]["build_seconds"]
    ledger = results["dataset"]["ledger"]
    if ledger["mismatches"] is not None:
        add(
            "ledger agrees with stored totals",
            ledger["mismatches"] == 0,
            f"{ledger['mismatches']} mismatches ({ledger['scope']})",
        )
    if build:  # 0 when the run reused the last run's database
        add(
            "build time",
            build < MAX_BUILD_SECONDS,
            f"{build:.0f} s (budget < {MAX_BUILD_SECONDS:.0f} s)",
        )
    peak = max(results["server"]["worker_peak_rss_mb"] or [float("inf")])
    add(
        "worker peak memory",
        peak < MAX_WORKER_PEAK_MB,
        f"{peak:.0f} MB VmHWM (budget < {MAX_WORKER_PEAK_MB:.0f} MB)",
    )
    return checks
