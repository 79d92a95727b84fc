from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import BodyBlock


class HomePage(Page):
    """The site's front page at /."""

    hero_heading = models.CharField(
        _("hero heading"), max_length=120, default="Build it once, together"
    )
    hero_text = models.TextField(
        _("hero text"),
        max_length=500,
        blank=True,
        default=(
            "Councils across the UK share the digital projects they are working on, pledge "
            "money and staff time to each other's, and build them in open maker teams."
        ),
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_heading"),
        FieldPanel("hero_text"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """About, accessibility statement, privacy, terms and the like."""

    summary = models.TextField(_("summary"), max_length=400, blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
