import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/councils/", "/accounts/login/", "/cy/councils/"])
def test_public_pages_render_in_the_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'class="govuk-skip-link"' in response.content


@pytest.mark.django_db
def test_unknown_council_is_a_404_in_the_site_layout(client):
    response = client.get("/councils/no-such-council/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="govuk-footer"' in response.content
