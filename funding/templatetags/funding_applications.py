"""``{% call_applications call as section %}``: what a call's page shows of its applications.

The call's page (another part of the funding journey) includes
``funding/applications/_call_section.html``, which reads its rows through this tag: the public
records of the call's bids, in a constant number of queries however many there are. It is the
same for every reader (the page may be served from the cache to people not signed in), so it
holds nothing personal: drafts and answers never appear.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from ..models import Call
from ..selectors.applications import call_applications

register = template.Library()


@dataclass(frozen=True)
class CallSection:
    applications: list
    is_open: bool
    apply_url: str


@register.simple_tag
def call_applications_section(call: Call) -> CallSection:
    return CallSection(
        applications=call_applications(call=call),
        is_open=call.is_open(),
        apply_url=reverse("funding:apply", args=[call.slug]),
    )
