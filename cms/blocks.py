import copy

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from core import pagecache
from projects.models import PUBLIC_STATES
from projects.scopes import project_tag

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


def is_public_project(project) -> bool:
    """What the public may see: published and not hidden by an organiser."""
    return project is not None and project.state in PUBLIC_STATES and not project.is_hidden


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    link_text = blocks.CharBlock(max_length=60)
    link_url = blocks.CharBlock(max_length=300, help_text=_("A path such as /projects/ or a URL"))

    class Meta:
        template = "cms/blocks/call_to_action.html"
        icon = "pick"


class ProjectChooserBlock(SnippetChooserBlock):
    """Choose a project. Every chosen project in a page's stream is fetched in one query.

    StreamField converts the values of all blocks of a type together (``bulk_to_python``), so the
    hand-picked-projects blocks of a page share one query for projects and one for service
    areas, however many blocks and projects there are.
    """

    def __init__(self, **kwargs):
        super().__init__("projects.Project", **kwargs)

    def _queryset(self):
        return self.target_model.objects.select_related("lead_council").prefetch_related(
            "service_areas"
        )

    def to_python(self, value):
        if value is None:
            return None
        return self._queryset().filter(pk=value).first()

    def bulk_to_python(self, values):
        objects = self._queryset().in_bulk([v for v in values if v is not None])
        seen, result = set(), []
        for value in values:
            obj = objects.get(value)
            if obj is not None and value in seen:
                obj = copy.copy(obj)  # the same project twice: two instances, as Wagtail does
            result.append(obj)
            seen.add(value)
        return result

    class Meta:
        icon = "clipboard-list"


def depends_on_projects(projects) -> None:
    """The cached page shows these projects' cards: a change to any of them retires it
    (``core.pagecache``); the featured list itself changes only with projects' own rows."""
    pagecache.depends_on(*(project_tag(project.pk) for project in projects if project))


class FeaturedProjectsBlock(blocks.StructBlock):
    """The projects organisers have featured (Projects › Feature in the admin): one meaning of
    "featured" everywhere. Most recently active first, hidden and unpublished ones never."""

    heading = blocks.CharBlock(max_length=120, default="Featured projects")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # The page's featured projects, read once however many blocks show them.
        context["projects"] = list((parent_context or {}).get("featured_projects", []))
        depends_on_projects(context["projects"])
        return context

    class Meta:
        template = "cms/blocks/project_cards.html"
        icon = "pick"
        label = _("Featured projects")
        help_text = _(
            "Shows every project organisers have featured with the Feature action in Projects, "
            "most recently active first. To choose projects and their order here instead, use a "
            "“Hand-picked projects” block."
        )


class HandPickedProjectsBlock(blocks.StructBlock):
    """Projects an editor chooses for this page, in their order (not the Feature action)."""

    heading = blocks.CharBlock(max_length=120)
    projects = blocks.ListBlock(
        ProjectChooserBlock(),
        min_num=1,
        max_num=12,
        help_text=_("Choose and order the projects. Hidden and unpublished ones are never shown."),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["projects"] = [
            project for project in value["projects"] if is_public_project(project)
        ]
        depends_on_projects(value["projects"])  # shown or not: a change may show one
        return context

    class Meta:
        template = "cms/blocks/project_cards.html"
        icon = "clipboard-list"
        label = _("Hand-picked projects")


class CollectionTeaserBlock(blocks.StructBlock):
    collection = blocks.PageChooserBlock(page_type="cms.CollectionPage")
    text = blocks.TextBlock(
        required=False,
        max_length=400,
        help_text=_("Optional. Leave empty to use the collection's summary."),
    )

    class Meta:
        template = "cms/blocks/collection_teaser.html"
        icon = "folder-open-inverse"
        label = _("Collection teaser")


class BodyBlock(blocks.StreamBlock):
    """The body of standard pages and news posts."""

    rich_text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="cms/blocks/rich_text.html"
    )
    call_to_action = CallToActionBlock()


class HomeBodyBlock(blocks.StreamBlock):
    """What organisers place on the home page below the headline figures."""

    featured_projects = FeaturedProjectsBlock()
    hand_picked_projects = HandPickedProjectsBlock()
    collection_teaser = CollectionTeaserBlock()
    rich_text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="cms/blocks/rich_text.html"
    )
    call_to_action = CallToActionBlock()
