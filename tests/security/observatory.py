"""A scorer for one HTTP response by the MDN HTTP Observatory's rules (scoring v2, 2024).

Implemented here from the Observatory's published methodology (its score tables and the checks
of each test), for the tests a single response can answer: Content Security Policy, cookies,
CORS, Referrer-Policy, Strict-Transport-Security, Subresource Integrity, X-Content-Type-Options,
X-Frame-Options and Cross-Origin-Resource-Policy. Redirection is not applicable in-process (the
HTTP→HTTPS redirect is checked by tests/pipeline/test_settings.py) and counts 0.

Every site starts at 100. Penalties always count; bonuses count only when the score without
them is at least 90. 100 or more is an A+.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

GRADES = [
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
    (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
]  # fmt: skip
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
DANGEROUSLY_BROAD = {
    "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*",
}  # fmt: skip
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}


@dataclass
class Result:
    test: str
    expectation: str
    modifier: int


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def uncurved(self) -> int:
        return 100 + sum(r.modifier for r in self.results if r.modifier < 0)

    @property
    def score(self) -> int:
        if self.uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
            return max(0, 100 + sum(r.modifier for r in self.results))
        return max(0, self.uncurved)

    @property
    def grade(self) -> str:
        return next(g for floor, g in GRADES if min(self.score, 100) >= floor)

    def __str__(self) -> str:
        lines = [f"score {self.score} ({self.grade})"]
        lines += [f"  {r.modifier:+d} {r.test}: {r.expectation}" for r in self.results]
        return "\n".join(lines)


def parse_csp(value: str) -> dict[str, set[str]]:
    policy: dict[str, set[str]] = {}
    for part in value.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in policy:
            raise ValueError(f"duplicate directive {name}")
        policy[name] = {t.lower() if t.startswith("'") else t for t in tokens[1:]}
    return policy


def csp_test(headers) -> tuple[Result, dict | None]:
    value = headers.get("Content-Security-Policy")
    if not value:
        return Result("content-security-policy", "csp-not-implemented", -25), None
    try:
        csp = parse_csp(value)
    except ValueError:
        return Result("content-security-policy", "csp-header-invalid", -25), None
    default = csp.get("default-src")
    script = csp.get("script-src", default) or {"*"}
    obj = csp.get("object-src", default) or {"*"}
    style = csp.get("style-src", default) or {"*"}
    active = [s for d, srcs in csp.items() if d not in ("img-src", "media-src") for s in srcs]
    passive = [s for d in ("img-src", "media-src") for s in (csp.get(d, default) or set())]
    if script & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or obj & DANGEROUSLY_BROAD:
        result = ("csp-implemented-with-unsafe-inline", -20)
    elif any(s.startswith(("http:", "ftp:")) for s in active):
        result = ("csp-implemented-with-insecure-scheme", -20)
    elif "'unsafe-eval'" in script | style:
        result = ("csp-implemented-with-unsafe-eval", -10)
    elif any(s.startswith(("http:", "ftp:")) for s in passive):
        result = ("csp-implemented-with-insecure-scheme-in-passive-content-only", -10)
    elif style & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        result = ("csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    elif default == {"'none'"}:
        result = ("csp-implemented-with-no-unsafe-default-src-none", 10)
    else:
        result = ("csp-implemented-with-no-unsafe", 5)
    return Result("content-security-policy", *result), csp


def hsts_test(headers, https: bool) -> Result:
    if not https:
        return Result("strict-transport-security", "hsts-not-implemented-no-https", -20)
    value = headers.get("Strict-Transport-Security")
    if not value:
        return Result("strict-transport-security", "hsts-not-implemented", -20)
    if "," in value:
        return Result("strict-transport-security", "hsts-header-invalid", -20)
    max_age = None
    for part in value.split(";"):
        part = part.strip().lower()
        if part.startswith("max-age="):
            try:
                max_age = int(part[8:128])
            except ValueError:
                return Result("strict-transport-security", "hsts-header-invalid", -20)
    if max_age is None:
        return Result("strict-transport-security", "hsts-header-invalid", -20)
    if max_age < 15_552_000:
        return Result(
            "strict-transport-security", "hsts-implemented-max-age-less-than-six-months", -10
        )
    # (+5 "hsts-preloaded" only once the domain is on the browsers' preload list.)
    return Result("strict-transport-security", "hsts-implemented-max-age-at-least-six-months", 0)


def cookies_test(set_cookie_headers: list[str], hsts_ok: bool) -> Result:
    cookies = []
    for header in set_cookie_headers:
        jar = SimpleCookie()
        jar.load(header)
        for key, morsel in jar.items():
            samesite = morsel["samesite"]
            if samesite and samesite.lower() not in ("lax", "strict", "none"):
                return Result("cookies", "cookies-samesite-flag-invalid", -20)
            cookies.append((key, bool(morsel["secure"]), bool(morsel["httponly"]), samesite))
    if not cookies:
        return Result("cookies", "cookies-not-found", 0)
    worst = None
    order = [
        ("cookies-without-secure-flag-but-protected-by-hsts", -5),
        ("cookies-without-secure-flag", -20),
        ("cookies-session-without-secure-flag-but-protected-by-hsts", -10),
        ("cookies-samesite-flag-invalid", -20),
        ("cookies-anticsrf-without-samesite-flag", -20),
        ("cookies-session-without-httponly-flag", -30),
        ("cookies-session-without-secure-flag", -40),
    ]

    def worse(candidate):
        nonlocal worst
        if worst is None or order.index(candidate) > order.index(worst):
            worst = candidate

    missing_samesite = False
    for key, secure, httponly, samesite in cookies:
        session = any(word in key.lower() for word in ("login", "sess"))
        anticsrf = "csrf" in key.lower()
        if samesite and samesite.lower() == "none" and not secure:
            worse(order[3])
        if not secure:
            worse(order[0] if hsts_ok else order[1])
        if anticsrf and not samesite:
            worse(order[4])
        if session and not secure:
            worse(order[2] if hsts_ok else order[6])
        if session and not httponly:
            worse(order[5])
        missing_samesite = missing_samesite or not samesite
    if worst:
        return Result("cookies", *worst)
    if missing_samesite:
        return Result("cookies", "cookies-secure-with-httponly-sessions", 0)
    return Result("cookies", "cookies-secure-with-httponly-sessions-and-samesite", 5)


def cors_test(headers) -> Result:
    origin = headers.get("Access-Control-Allow-Origin")
    if not origin:
        return Result(
            "cross-origin-resource-sharing", "cross-origin-resource-sharing-not-implemented", 0
        )
    if (
        origin.strip() == "*"
        and headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
    ):
        return Result(
            "cross-origin-resource-sharing",
            "cross-origin-resource-sharing-implemented-with-universal-access",
            -50,
        )
    if origin.strip() == "*":
        return Result(
            "cross-origin-resource-sharing",
            "cross-origin-resource-sharing-implemented-with-public-access",
            0,
        )
    return Result(
        "cross-origin-resource-sharing",
        "cross-origin-resource-sharing-implemented-with-restricted-access",
        0,
    )


def referrer_test(headers) -> Result:
    value = headers.get("Referrer-Policy")
    if not value:
        return Result("referrer-policy", "referrer-policy-not-implemented", 0)
    good = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    bad = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
    valid = [v.strip().lower() for v in value.split(",") if v.strip().lower() in good | bad]
    if not valid:
        return Result("referrer-policy", "referrer-policy-header-invalid", -5)
    if valid[-1] in good:
        return Result("referrer-policy", "referrer-policy-private", 5)
    return Result("referrer-policy", "referrer-policy-unsafe", -5)


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_test(headers, body: str, host: str) -> Result:
    if not headers.get("Content-Type", "").startswith(("text/html", "application/xhtml+xml")):
        return Result("subresource-integrity", "sri-not-implemented-response-not-html", 0)
    parser = _Scripts()
    parser.feed(body)
    if not parser.scripts:
        return Result("subresource-integrity", "sri-not-implemented-but-no-scripts-loaded", 0)
    foreign = [s for s in parser.scripts if s.get("src") and _foreign(s["src"], host)]
    if not foreign:
        if any(s.get("integrity") for s in parser.scripts if s.get("src")):
            return Result(
                "subresource-integrity", "sri-implemented-and-all-scripts-loaded-securely", 5
            )
        return Result(
            "subresource-integrity",
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
            0,
        )
    if any(not s.get("integrity") and not s["src"].startswith("https://") for s in foreign):
        return Result(
            "subresource-integrity",
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
            -50,
        )
    if any(not s.get("integrity") for s in foreign):
        return Result(
            "subresource-integrity", "sri-not-implemented-but-external-scripts-loaded-securely", -5
        )
    return Result(
        "subresource-integrity", "sri-implemented-and-external-scripts-loaded-securely", 5
    )


def _foreign(src: str, host: str) -> bool:
    if src.startswith("//"):
        return True
    if not src.startswith(("http://", "https://")):
        return False
    other = urlsplit(src).hostname or ""
    return other.split(".")[-2:] != host.split(".")[-2:]


def xcto_test(headers) -> Result:
    value = headers.get("X-Content-Type-Options")
    if not value:
        return Result("x-content-type-options", "x-content-type-options-not-implemented", -5)
    if value.strip().lower() == "nosniff":
        return Result("x-content-type-options", "x-content-type-options-nosniff", 0)
    return Result("x-content-type-options", "x-content-type-options-header-invalid", -5)


def xfo_test(headers, csp: dict | None) -> Result:
    if csp and "frame-ancestors" in csp:
        return Result("x-frame-options", "x-frame-options-implemented-via-csp", 5)
    value = (headers.get("X-Frame-Options") or "").strip().lower()
    if not value:
        return Result("x-frame-options", "x-frame-options-not-implemented", -20)
    if value in ("deny", "sameorigin"):
        return Result("x-frame-options", "x-frame-options-sameorigin-or-deny", 0)
    if value.startswith("allow-from"):
        return Result("x-frame-options", "x-frame-options-allow-from-origin", 0)
    return Result("x-frame-options", "x-frame-options-header-invalid", -20)


def corp_test(headers) -> Result:
    value = (headers.get("Cross-Origin-Resource-Policy") or "").strip().lower()
    table = {
        "": ("cross-origin-resource-policy-not-implemented", 0),
        "same-site": ("cross-origin-resource-policy-implemented-with-same-site", 10),
        "same-origin": ("cross-origin-resource-policy-implemented-with-same-origin", 10),
        "cross-origin": ("cross-origin-resource-policy-implemented-with-cross-origin", 0),
    }
    return Result(
        "cross-origin-resource-policy",
        *table.get(value, ("cross-origin-resource-policy-header-invalid", -5)),
    )


def score(headers, set_cookie_headers: list[str], body: str, *, https: bool, host: str) -> Report:
    """``headers``: a case-insensitive mapping of the response's headers (one value each)."""
    csp_result, csp = csp_test(headers)
    hsts = hsts_test(headers, https)
    report = Report(
        [
            csp_result,
            cookies_test(set_cookie_headers, hsts_ok=hsts.modifier == 0),
            cors_test(headers),
            Result("redirection", "redirection-not-applicable-in-process", 0),
            referrer_test(headers),
            hsts,
            sri_test(headers, body, host),
            xcto_test(headers),
            xfo_test(headers, csp),
            corp_test(headers),
        ]
    )
    return report
