"""``{% project_cards projects heading_level %}``: a listing's cards, from the cache at once."""

import hashlib

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from projects import selectors

register = template.Library()
CARD_TEMPLATE = "projects/_card_body.html"


def _key(project, heading_level: int) -> str | None:
    version = getattr(project, "part_version", "")
    if not version:
        return None
    digest = hashlib.sha256(version.encode()).hexdigest()
    return f"pipeline:card:{project.pk}:{heading_level}:{get_language()}:{digest}"


@register.simple_tag
def project_cards(projects, heading_level: int = 3) -> SafeString:
    """Each project's card (``projects/_card_body.html``), the same for every reader: those in
    the pages cache under their ``part_version`` (``projects.scopes.with_part_versions``) read
    in one round trip, the others drawn and kept. Projects without a version are drawn."""
    seconds = settings.PART_CACHE_SECONDS
    cache = caches["pages"]
    projects = list(projects)
    keys = {p.pk: _key(p, heading_level) for p in projects} if seconds else {}
    wanted = [k for k in keys.values() if k]
    found = cache.get_many(wanted) if wanted else {}
    # The projects came with only what chose and ordered them: read the rest for the cards
    # to draw, in one go.
    to_draw = [p for p in projects if found.get(keys.get(p.pk)) is None]
    full = {p.pk: p for p in selectors.rows_in_order(to_draw, selectors.project_cards()) if p}
    card = get_template(CARD_TEMPLATE)
    drawn, html = {}, []
    for project in projects:
        key = keys.get(project.pk)
        text = found.get(key) if key else None
        if text is None:
            if project.pk not in full:
                continue  # gone since the listing chose it
            text = card.render({"project": full[project.pk], "heading_level": heading_level})
            if key:
                drawn[key] = text
        html.append(text)
    if drawn:
        cache.set_many(drawn, seconds)
    return mark_safe("".join(html))  # noqa: S308 - our own template's output, escaped there
