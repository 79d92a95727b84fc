"""``object_url`` gives what ``reverse`` gives, in each language and under a script prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from core.links import object_url


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_same_address_as_reverse_in_each_language(language):
    with translation.override(language):
        for viewname, name, value in (
            ("councils:detail", "slug", "ynys-mon"),
            ("projects:detail", "slug", "shared-bin-booking_2"),
            ("projects:pledge_detail", "pk", 8302),
        ):
            assert object_url(viewname, name, value) == reverse(viewname, kwargs={name: value})
        assert object_url("councils:detail", "slug", "powys") == (
            "/cy/councils/powys/" if language == "cy" else "/councils/powys/"
        )


def test_the_script_prefix_the_site_is_served_under():
    try:
        set_script_prefix("/pipeline/")
        assert object_url("councils:detail", "slug", "powys") == "/pipeline/councils/powys/"
    finally:
        set_script_prefix("/")
    assert object_url("councils:detail", "slug", "powys") == "/councils/powys/"


def test_a_value_the_route_cannot_take_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        object_url("projects:pledge_detail", "pk", "not-a-number")
    with pytest.raises(NoReverseMatch):
        object_url("councils:detail", "slug", "two words")
