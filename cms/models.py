"""Wagtail pages: the home page, collections of projects, news and standard pages."""

import datetime

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.locales import content_languages

from .blocks import RICH_TEXT_FEATURES, BodyBlock, HomeBodyBlock
from .selectors import children_in_reader_language

NEWS_PER_PAGE = 10


def _page_of(items, request, per_page: int):
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


class HomePage(Page):
    """The site's front page at /: a hero, live figures and blocks organisers place."""

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
    body = StreamField(HomeBodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_heading"),
        FieldPanel("hero_text"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StandardPage", "cms.CollectionIndexPage", "cms.NewsIndexPage"]
    # One home page made by hand; its Welsh version is a translation (a copy), not counted here.
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the page in this language's tree, else in another language's (default first).

        Wagtail routes /cy/… through the Welsh home page only, so a page with no Welsh version
        yet would be a 404; instead it is served in its own language inside the Welsh
        interface, its text marked with its language (``content_lang``). A page found that way
        that has a live version in this language (under another slug: /cy/news/ when the Welsh
        news is /cy/newyddion/) redirects to it, and so does a Welsh page asked for at an
        English address: it is never served there (``cms.wagtail_hooks``).
        """
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
        default = content_languages()[1]
        homes = self.get_translations().select_related("locale").specific()
        for home in sorted(homes, key=lambda h: h.locale.language_code != default):
            try:
                # Page.route, not this method: a fallback never falls back again.
                found = super(HomePage, home).route(request, path_components)
            except Http404:
                continue
            page = found[0]
            version = page.get_translation_or_none(self.locale)
            if version is not None and version.live:
                target = version
            elif self.locale.language_code == default:
                target = page  # a page in Welsh only: at its Welsh address
            else:
                return found
            url = target.get_url(request)
            if url is None:  # Wagtail cannot place it under a site (its cached roots are old)
                return found
            # What the page's own route took (a routable page's sub-path) goes along.
            rest = path_components[page.depth - home.depth :]
            url += "".join(f"{part}/" for part in rest)
            query = request.META.get("QUERY_STRING", "")
            request.cms_redirect_url = f"{url}?{query}" if query else url
            return found
        raise Http404

    def get_context(self, request, *args, **kwargs):
        from core import pagecache
        from projects.models import Phase
        from projects.scopes import LISTING, TOTALS
        from projects.selectors import headline_stats, project_list

        # National totals: every pledge, adoption or need changes them. The projects its blocks
        # show add their own tags as they are drawn (cms.blocks), so an update to a project
        # that is not on the page leaves it cached.
        pagecache.depends_on(LISTING, TOTALS)
        context = super().get_context(request, *args, **kwargs)
        version = pagecache.part_version(LISTING, TOTALS)
        stats = pagecache.cached_part("headline-stats", version, headline_stats)
        context["stats"] = stats
        context["phases"] = [
            {"value": value, "label": label, "count": stats["projects_by_phase"][value]}
            for value, label in Phase.choices
        ]
        # What "Featured projects" blocks show: every project organisers featured, so featuring
        # one always shows it. Only read (one query) if the page has such a block.
        context["featured_projects"] = SimpleLazyObject(
            lambda: list(
                project_list().filter(is_featured=True).order_by("-last_activity_at", "-pk")
            )
        )
        return context


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
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")

    @property
    def search_summary(self) -> str:
        return self.summary


# --- Collections ----------------------------------------------------------------------------


class CollectionIndexPage(Page):
    """Lists the themed collections of projects."""

    introduction = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CollectionPage"]
    max_count_per_parent = 1  # one per home page, so one per language

    class Meta:
        verbose_name = _("collection index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["collections"] = (
            children_in_reader_language(self, CollectionPage).live().public().order_by("path")
        )
        return context

    @property
    def search_summary(self) -> str:
        return self.introduction


class CollectionPage(Page):
    """A themed, curated and ordered set of projects, such as "Waste and recycling"."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for listings and teasers."),
    )
    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("introduction"),
        InlinePanel(
            "collection_projects",
            label=_("Projects"),
            heading=_("Projects in this collection"),
            help_text=_("Drag to order. Hidden and unpublished projects are never shown."),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("introduction"),
    ]
    parent_page_types = ["cms.CollectionIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("collection page")

    def visible_projects(self) -> list:
        """The collection's public projects in the chosen order, in a fixed number of queries."""
        from projects.selectors import project_list

        # In a preview the items are in memory; otherwise this is one query.
        ids = [item.project_id for item in self.collection_projects.all() if item.project_id]
        found = project_list().in_bulk(ids)
        ordered, seen = [], set()
        for pk in ids:
            if pk in found and pk not in seen:
                ordered.append(found[pk])
                seen.add(pk)
        return ordered

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["projects"] = self.visible_projects()
        return context

    @property
    def search_summary(self) -> str:
        return self.summary


class CollectionProject(Orderable):
    page = ParentalKey(CollectionPage, on_delete=models.CASCADE, related_name="collection_projects")
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("project"),
    )

    panels = [FieldPanel("project")]

    class Meta(Orderable.Meta):
        verbose_name = _("project in a collection")
        verbose_name_plural = _("projects in a collection")

    def __str__(self) -> str:
        return f"{self.page} – {self.project}"


# --- News -----------------------------------------------------------------------------------


class NewsIndexPage(RoutablePageMixin, Page):
    """News from Pipeline, newest first, with an RSS feed at feed/."""

    introduction = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1  # one per home page, so one per language

    class Meta:
        verbose_name = _("news index page")

    def news_items(self):
        """Posts in the reader's language, and those not yet translated in their own."""
        return children_in_reader_language(self, NewsPage).live().public().order_by("-date", "-pk")

    @property
    def feed_url(self) -> str:
        return self.url + self.reverse_subpage("feed")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = self.news_items()
        tag = request.GET.get("tag", "").strip()
        if tag:
            items = items.filter(tags__slug=tag).distinct()
        context["news_page"] = _page_of(items, request, NEWS_PER_PAGE)
        context["tag"] = tag
        return context

    @path("feed/")
    def feed(self, request):
        from .feeds import NewsFeed

        return NewsFeed()(request, index_page=self)

    @property
    def search_summary(self) -> str:
        return self.introduction


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


def _today() -> datetime.date:
    return timezone.localdate()


class NewsPageForm(WagtailAdminPageForm):
    """A new post is written by the editor unless they say otherwise: their name is filled in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and self.for_user is not None and not self.is_bound:
            self.initial["author"] = self.for_user.get_full_name()


class NewsPage(Page):
    date = models.DateField(_("date"), default=_today)
    author = models.CharField(_("author"), max_length=120)
    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("Shown in the news list and the RSS feed.")
    )
    body = StreamField(BodyBlock(), use_json_field=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author"), FieldPanel("tags")],
            heading=_("About this post"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    base_form_class = NewsPageForm

    class Meta:
        verbose_name = _("news page")

    @property
    def search_summary(self) -> str:
        return self.summary
