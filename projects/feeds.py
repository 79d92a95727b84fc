"""RSS and Atom feeds: new projects, a project's updates, a council's projects, an area's projects.

Each feed is RSS 2.0 at ``…/feed/`` and Atom at ``…/feed/atom/``; hidden and draft projects
never appear.

Descriptions are HTML to feed readers (RSS ``description``, Atom ``summary type="html"``) and the
syndication framework only XML-escapes what it is given: so user-written text in a description
is HTML-escaped here first, and update bodies are Markdown rendered and cleaned by nh3. Titles
stay as written: they are plain text (Atom ``title`` has type text).
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from councils.models import Council

from .models import Project, ServiceArea, Update
from .selectors import project_list, project_updates

FEED_LENGTH = 50


class _ProjectItems:
    def items(self, obj=None):
        return self.project_queryset(obj).order_by("-published_at", "-pk")[:FEED_LENGTH]

    def project_queryset(self, obj):
        return project_list()

    def item_title(self, item: Project) -> str:
        return item.title

    def item_description(self, item: Project) -> str:
        return escape(
            f"{item.summary} ({item.lead_council.short_name}, {item.get_phase_display()})"
        )

    def item_pubdate(self, item: Project):
        return item.published_at

    def item_updateddate(self, item: Project):
        return item.updated_at

    def item_categories(self, item: Project):
        return [area.display_name for area in item.service_areas.all()]


class NewProjectsFeed(_ProjectItems, Feed):
    title = _("Pipeline: newly published projects")
    description = _("Shared digital projects that UK councils have just published.")

    def link(self):
        return reverse("projects:list")


class NewProjectsAtomFeed(NewProjectsFeed):
    feed_type = Atom1Feed
    subtitle = NewProjectsFeed.description


class AreaProjectsFeed(_ProjectItems, Feed):
    def get_object(self, request, slug: str) -> ServiceArea:
        return get_object_or_404(ServiceArea, slug=slug)

    def project_queryset(self, area: ServiceArea):
        return project_list().filter(service_areas=area)

    def title(self, area: ServiceArea) -> str:
        return _("Pipeline: projects in %(area)s") % {"area": area.display_name}

    def description(self, area: ServiceArea) -> str:
        return escape(self.title(area))

    def link(self, area: ServiceArea) -> str:
        return f"{reverse('projects:list')}?area={area.slug}"


class AreaProjectsAtomFeed(AreaProjectsFeed):
    feed_type = Atom1Feed


class CouncilProjectsFeed(_ProjectItems, Feed):
    def get_object(self, request, slug: str) -> Council:
        return get_object_or_404(Council, slug=slug)

    def project_queryset(self, council: Council):
        return project_list().filter(lead_council=council)

    def title(self, council: Council) -> str:
        return _("Pipeline: projects led by %(council)s") % {"council": council.short_name}

    def description(self, council: Council) -> str:
        return escape(self.title(council))

    def link(self, council: Council) -> str:
        return council.get_absolute_url()


class CouncilProjectsAtomFeed(CouncilProjectsFeed):
    feed_type = Atom1Feed


class ProjectUpdatesFeed(Feed):
    def get_object(self, request, slug: str) -> Project:
        return get_object_or_404(Project.objects.visible(), slug=slug)

    def items(self, project: Project):
        return project_updates(project=project)[:FEED_LENGTH]

    def title(self, project: Project) -> str:
        return _("Pipeline: updates from %(project)s") % {"project": project.title}

    def description(self, project: Project) -> str:
        return escape(project.summary)

    def link(self, project: Project) -> str:
        return project.get_absolute_url()

    def item_title(self, item: Update) -> str:
        return item.title

    def item_description(self, item: Update) -> str:
        return render_markdown(item.body)

    def item_link(self, item: Update) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Update):
        return item.created_at

    def item_author_name(self, item: Update) -> str:
        return item.author.get_full_name()


class ProjectUpdatesAtomFeed(ProjectUpdatesFeed):
    feed_type = Atom1Feed
