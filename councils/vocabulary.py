"""The register's fixed vocabularies (it gives them in English), in the reader's language.

These are the values the register uses; a value it starts to use later is shown in English and
marked as English (``pipeline.vocabulary``) until it is added here.
"""

from django.utils.translation import gettext_lazy as _

AUTHORITY_TYPES = {
    "City corporation": _("City corporation"),
    "Combined authority": _("Combined authority"),
    "County": _("County"),
    "London borough": _("London borough"),
    "Metropolitan district": _("Metropolitan district"),
    "NI district": _("NI district"),
    "Non-metropolitan district": _("Non-metropolitan district"),
    "Scottish unitary authority": _("Scottish unitary authority"),
    "Strategic Regional Authority": _("Strategic regional authority"),
    "Unitary authority": _("Unitary authority"),
    "Welsh unitary authority": _("Welsh unitary authority"),
}

REGIONS = {
    "East Midlands": _("East Midlands"),
    "East of England": _("East of England"),
    "London": _("London"),
    "North East": _("North East"),
    "North West": _("North West"),
    "Northern Ireland": _("Northern Ireland"),
    "Scotland": _("Scotland"),
    "South East": _("South East"),
    "South West": _("South West"),
    "Wales": _("Wales"),
    "West Midlands": _("West Midlands"),
    "Yorkshire and The Humber": _("Yorkshire and The Humber"),
}
