"""Template tags for Wagtail pages in the reader's language (see ``cms.selectors``)."""

from django import template

from cms import selectors

register = template.Library()


@register.simple_tag
def reader_version(page):
    """A Wagtail page's version in the reader's language."""
    return selectors.reader_version(page) if page else page


@register.simple_tag(takes_context=True)
def reader_pageurl(context: template.Context, page) -> str:
    """A Wagtail page's address in the reader's language (see ``cms.selectors.reader_url``)."""
    return selectors.reader_url(page, context.get("request"))
