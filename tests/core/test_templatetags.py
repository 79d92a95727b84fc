"""The GOV.UK template tags that mark language (content_lang) and make wide tables scroll in
their own box (scrollable_table)."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from projects.models import Language, Project

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("interface", "written", "expected"),
    [
        ("en-gb", Language.ENGLISH, ""),
        ("en-gb", Language.WELSH, ' lang="cy"'),
        ("cy", Language.WELSH, ""),
        ("cy", Language.ENGLISH, ' lang="en"'),
    ],
)
def test_content_lang_marks_project_text_only_in_the_other_language(interface, written, expected):
    project = Project(language=written)

    with translation.override(interface):
        assert render("{% content_lang project %}", project=project) == expected


def test_content_lang_marks_an_english_page_inside_the_welsh_interface():
    from cms.models import HomePage

    home = HomePage.objects.get()

    with translation.override("cy"):
        assert render("{% content_lang page %}", page=home) == ' lang="en-GB"'
    with translation.override("en-gb"):
        assert render("{% content_lang page %}", page=home) == ""


def test_scrollable_table_wraps_the_table_in_a_focusable_region_named_by_its_caption():
    html = render(
        '{% scrollable_table "pledges-caption" %}<table><caption id="pledges-caption">'
        "Pledges</caption></table>{% endscrollable_table %}"
    )

    assert html == (
        '<div class="pipeline-table-scroll" role="region" aria-labelledby="pledges-caption" '
        'tabindex="0"><table><caption id="pledges-caption">Pledges</caption></table></div>'
    )


def test_scrollable_table_takes_the_caption_id_from_a_variable():
    html = render(
        '{% scrollable_table chart_id|add:"-caption" %}<table></table>{% endscrollable_table %}',
        chart_id="pledges-chart",
    )

    assert 'aria-labelledby="pledges-chart-caption"' in html


def test_scrollable_table_needs_the_caption_id():
    with pytest.raises(TemplateSyntaxError):
        render("{% scrollable_table %}<table></table>{% endscrollable_table %}")


def test_every_table_on_a_project_page_scrolls_in_its_own_named_box(client):
    from tests.factories import make_pledge, published_project

    project = published_project()
    make_pledge(project)

    html = client.get(project.get_absolute_url()).content.decode()

    tables = html.count("<table")
    boxes = re.findall(r'<div class="pipeline-table-scroll" [^>]*aria-labelledby="([^"]+)"', html)
    assert tables and len(boxes) == tables
    assert all(f'<caption id="{caption}"' in html for caption in boxes)
