"""User-written Markdown rendered to HTML that is safe to put on a page.

Markdown is converted first, then nh3 (the Ammonia sanitiser) keeps only a small set of tags
and attributes, so no script, style, event handler or javascript: URL survives.
"""

import functools
import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """This thread's converter, reset for each text. Building one (its parser and extensions)
    took longer than converting a typical update, and a project page converts dozens."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown_lib.Markdown(
            extensions=["extra", "sane_lists"], output_format="html"
        )
    return md.reset()


@functools.lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    """The same text always gives the same HTML, so each process converts a description or an
    update once, not on every page that shows it (a few hundred kB at most)."""
    html = _converter().convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
