"""Every page type: where it may live, that it routes and renders, and that an editor can make one
with valid data in the Wagtail admin."""

import datetime

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import (
    CollectionIndexPage,
    CollectionPage,
    CollectionProject,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
)
from tests.factories import OrganiserFactory, ProjectFactory


def list_block(values: list) -> dict:
    """ListBlock form data (the shape form_data.streamfield makes, without block types)."""
    data = {
        str(n): {"value": value, "deleted": "", "order": str(n)} for n, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


class PageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()  # made by cms migration 0002
        cls.organiser = OrganiserFactory()
        cls.project = ProjectFactory(published=True, title="Book a bulky waste collection")

    def setUp(self):
        self.client.force_login(self.organiser)

    # --- where each type may live ---------------------------------------------------------

    def test_home_page_lives_at_the_root_and_holds_the_sections(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {StandardPage, CollectionIndexPage, NewsIndexPage})

    def test_standard_pages_nest_under_home_or_each_other(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_collections_live_under_their_index(self):
        self.assertAllowedParentPageTypes(CollectionIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CollectionIndexPage, {CollectionPage})
        self.assertAllowedParentPageTypes(CollectionPage, {CollectionIndexPage})
        self.assertAllowedSubpageTypes(CollectionPage, set())

    def test_news_posts_live_under_the_news_index(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsPage, set())
        self.assertCanNotCreateAt(HomePage, NewsPage)

    # --- routable and renderable ----------------------------------------------------------

    def test_home_page_routes_and_renders(self):
        self.assertPageIsRoutable(self.home)
        self.assertPageIsRenderable(self.home)

    def test_standard_page_routes_and_renders(self):
        page = publish(
            self.home,
            StandardPage(
                title="About",
                slug="about-us",
                summary="Who we are",
                body=[{"type": "rich_text", "value": "<p>Hello</p>"}],
                last_reviewed=datetime.date(2026, 11, 20),
            ),
        )
        self.assertPageIsRoutable(page)
        self.assertPageIsRenderable(page)
        response = self.client.get(page.url)
        self.assertContains(response, "Last reviewed on 20 November 2026")

    def test_collection_pages_route_and_render(self):
        index = publish(self.home, CollectionIndexPage(title="Collections", slug="collections"))
        collection = CollectionPage(title="Waste", slug="waste", summary="Bins")
        collection.collection_projects = [CollectionProject(project=self.project)]
        publish(index, collection)
        for page in (index, collection):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)
        self.assertContains(self.client.get(index.url), "Waste")
        self.assertContains(self.client.get(collection.url), "Book a bulky waste collection")

    def test_news_pages_route_and_render(self):
        index = publish(self.home, NewsIndexPage(title="News", slug="news"))
        post = NewsPage(
            title="Hello",
            slug="hello",
            author="LocalGov Digital",
            summary="A first post",
            body=[{"type": "rich_text", "value": "<p>Body</p>"}],
        )
        post.tags.add("announcements")
        publish(index, post)
        for page in (index, post):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)
        self.assertPageIsRoutable(index, "feed/")
        self.assertPageIsRenderable(index, "feed/")
        self.assertContains(self.client.get(post.url), "announcements")

    # --- an editor can create each type with valid data -----------------------------------

    def test_an_editor_can_create_a_standard_page(self):
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "Terms of use",
                    "slug": "terms-of-use",
                    "summary": "The rules",
                    "body": streamfield([("rich_text", rich_text("<p>Be kind.</p>"))]),
                    "last_reviewed": "2026-11-20",
                }
            ),
        )
        self.assertTrue(StandardPage.objects.filter(slug="terms-of-use", live=True).exists())

    def test_an_editor_can_create_a_collection_with_ordered_projects(self):
        second = ProjectFactory(published=True, title="Report a missed bin")
        self.assertCanCreate(
            self.home,
            CollectionIndexPage,
            nested_form_data({"title": "Collections", "slug": "collections", "introduction": ""}),
        )
        index = CollectionIndexPage.objects.get()
        self.assertCanCreate(
            index,
            CollectionPage,
            nested_form_data(
                {
                    "title": "Waste and recycling",
                    "slug": "waste-and-recycling",
                    "summary": "Bins",
                    "introduction": rich_text("<p>Waste services.</p>"),
                    "collection_projects": inline_formset(
                        [
                            {"project": second.pk, "ORDER": "1"},
                            {"project": self.project.pk, "ORDER": "2"},
                        ]
                    ),
                }
            ),
        )
        page = CollectionPage.objects.get(slug="waste-and-recycling")
        self.assertEqual(
            [item.project_id for item in page.collection_projects.all()],
            [second.pk, self.project.pk],
        )

    def test_an_editor_can_create_news(self):
        self.assertCanCreate(
            self.home,
            NewsIndexPage,
            nested_form_data({"title": "News", "slug": "news", "introduction": "What is new"}),
        )
        index = NewsIndexPage.objects.get()
        self.assertCanCreate(
            index,
            NewsPage,
            nested_form_data(
                {
                    "title": "Pipeline opens",
                    "slug": "pipeline-opens",
                    "date": "2026-11-02",
                    "author": "LocalGov Digital",
                    "tags": "announcements, launch",
                    "summary": "Open to every council",
                    "body": streamfield([("rich_text", rich_text("<p>Hello.</p>"))]),
                }
            ),
        )
        post = NewsPage.objects.get(slug="pipeline-opens")
        self.assertEqual(sorted(t.name for t in post.tags.all()), ["announcements", "launch"])

    def test_an_editor_can_give_the_home_page_hand_picked_projects_and_a_teaser(self):
        index = publish(self.home, CollectionIndexPage(title="Collections", slug="collections"))
        collection = publish(index, CollectionPage(title="Waste", slug="waste"))
        edit_url = f"/cms-admin/pages/{self.home.pk}/edit/"
        data = nested_form_data(
            {
                "title": self.home.title,
                "slug": self.home.slug,
                "hero_heading": "Build it once",
                "hero_text": "Together",
                "body": streamfield(
                    [
                        ("featured_projects", {"heading": "Featured"}),
                        (
                            "hand_picked_projects",
                            {
                                "heading": "Our picks",
                                "projects": list_block([self.project.pk]),
                            },
                        ),
                        ("collection_teaser", {"collection": collection.pk, "text": ""}),
                    ]
                ),
                "action-publish": "publish",
            }
        )
        response = self.client.post(edit_url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.home.refresh_from_db()
        blocks = list(self.home.body)
        self.assertEqual(
            [b.block_type for b in blocks],
            ["featured_projects", "hand_picked_projects", "collection_teaser"],
        )
        self.assertEqual(list(blocks[1].value["projects"]), [self.project])

    # --- what the editor meets in the admin ------------------------------------------------

    def test_a_new_news_post_has_the_editors_name_as_its_author(self):
        index = publish(self.home, NewsIndexPage(title="News", slug="news"))
        self.organiser.first_name, self.organiser.last_name = "Olu", "Adeyemi"
        self.organiser.save()

        new = self.client.get(f"/cms-admin/pages/add/cms/newspage/{index.pk}/")
        post = publish(
            index,
            NewsPage(title="Old", slug="old", author="LocalGov Digital", summary="s", body=[]),
        )
        edit = self.client.get(f"/cms-admin/pages/{post.pk}/edit/")

        self.assertEqual(new.context["form"]["author"].value(), "Olu Adeyemi")
        self.assertEqual(edit.context["form"]["author"].value(), "LocalGov Digital")

    def test_a_page_being_made_is_never_saved_behind_the_editors_back(self):
        # Autosave saved a new collection as a draft while its projects were being chosen; the
        # editor, not knowing, started again and met "this slug is already in use".
        index = publish(self.home, CollectionIndexPage(title="Collections", slug="collections"))
        for url in (
            f"/cms-admin/pages/add/cms/collectionpage/{index.pk}/",
            f"/cms-admin/pages/{index.pk}/edit/",
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertFalse(response.context["autosave_enabled"], url)
            self.assertNotRegex(
                response.content.decode(), r'<form[^>]*data-controller="[^"]*w-autosave'
            )

    def test_the_admin_asks_gravatar_for_nothing(self):
        # Gravatar would be sent a hash of each editor's email address.
        for url in ("/cms-admin/", f"/cms-admin/pages/{self.home.pk}/edit/"):
            self.assertNotContains(self.client.get(url), "gravatar")
