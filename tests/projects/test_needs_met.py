"""Needs that stop when met: the owner marks a need met, which stops new offers to it."""

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Conflict, NotAllowed
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Need
from tests.api.conftest import assert_error, token_client
from tests.factories import CouncilFactory, NeedFactory, published_project, verified_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    project = published_project()
    need = NeedFactory(project=project, kind=Kind.MONEY, amount=100_000, description="Hosting")
    partner = CouncilFactory()
    pledger = verified_member(partner)
    pledge = services.pledge_offer(
        actor=pledger, project=project, council=partner, kind=Kind.MONEY, amount=500, need=need
    )
    return project, need, partner, pledger, pledge


def offer(project, partner, pledger, need):
    return services.pledge_offer(
        actor=pledger, project=project, council=partner, kind=Kind.MONEY, amount=700, need=need
    )


def test_a_met_need_refuses_new_offers_and_keeps_what_was_pledged(world):
    project, need, partner, pledger, _pledge = world
    services.need_mark_met(actor=project.owner, need=need)
    with pytest.raises(Conflict) as refused:
        offer(project, partner, pledger, need)
    assert refused.value.field == "need"
    need.refresh_from_db()
    assert need.is_met and need.offered == 500
    project.refresh_from_db()
    assert project.money_offered == 500
    assert check_ledger() == []
    services.need_reopen(actor=project.owner, need=need)
    assert offer(project, partner, pledger, need).need_id == need.pk


def test_only_managers_mark_a_need_met(world):
    project, need, _partner, pledger, _pledge = world
    with pytest.raises(NotAllowed):
        services.need_mark_met(actor=pledger, need=need)
    with pytest.raises(Conflict):
        services.need_reopen(actor=project.owner, need=need)  # it is open
    assert not Need.objects.get(pk=need.pk).is_met


def test_the_pages_show_it_met_and_the_pledge_form_offers_it_no_more(world):
    project, need, _partner, pledger, _pledge = world
    owner = Client()
    owner.force_login(project.owner)
    url = reverse("projects:need_met", kwargs={"slug": project.slug, "pk": need.pk})
    assert owner.post(url, {"met": "1"}).status_code == 302
    assert Need.objects.get(pk=need.pk).is_met
    page = Client().get(project.get_absolute_url()).content.decode()
    assert "takes no new offers" in page
    client = Client()
    client.force_login(pledger)
    response = client.get(reverse("projects:pledge", kwargs={"slug": project.slug}))
    assert str(need.pk) not in dict(response.context["form"].fields["towards"].choices)
    assert "These needs are met" in response.content.decode()
    assert owner.post(url, {"met": "0"}).status_code == 302
    assert not Need.objects.get(pk=need.pk).is_met


def test_the_project_as_a_whole_no_longer_counts_a_met_need_as_still_to_find(world):
    project, need, _partner, pledger, _pledge = world  # £5,000 and £1,000 asked, £5 pledged
    client = Client()
    client.force_login(pledger)
    url = reverse("projects:pledge", kwargs={"slug": project.slug})
    hints = client.get(url).context["form"].fields["towards"].option_hints
    assert hints["money"] == "£5,995 still to find (£6,000 asked, £5 pledged so far)"
    services.need_mark_met(actor=project.owner, need=need)
    hints = client.get(url).context["form"].fields["towards"].option_hints
    # The £995 the met need never got is not still to find: only the open £5,000 need is.
    assert hints["money"] == "£5,000 still to find (£5,000 asked, £0 pledged so far)"
    assert hints["time"] == "20 days still to find (20 days asked, 0 days pledged so far)"


@pytest.mark.parametrize("lang", ["", "/cy"])
def test_an_offer_filled_in_before_the_need_was_met_is_told_why_in_plain_words(world, lang):
    project, need, partner, pledger, _pledge = world
    client = Client()
    client.force_login(pledger)
    form_url = f"{lang}{reverse('projects:pledge', args=[project.slug])}"
    check_url = f"{lang}{reverse('projects:pledge_check', args=[project.slug])}"
    data = {"council": partner.pk, "towards": str(need.pk), "amount": "7"}
    response = client.post(form_url, data)
    assert response.status_code == 302  # to Check your answers, with the draft saved
    services.need_mark_met(actor=project.owner, need=need)
    page = client.get(check_url)
    text = page.content.decode()
    assert "govuk-error-summary" in text
    assert "is not one of the available choices" not in text  # Django's own words
    assert "Dewiswch ddewisiad dilys" not in text
    if lang:
        assert "wedi’i ddiwallu ac nid yw’n derbyn cynigion newydd" in text
    else:
        assert "£1,000 is now met and takes no new offers" in text
    # A choice that was never there gets plain words too.
    data["towards"] = "999999"
    page = client.post(form_url, data)
    assert "is not one of the available choices" not in page.content.decode()


def test_through_the_api(world):
    project, need, partner, pledger, _pledge = world
    url = reverse("api:project-need-met", kwargs={"slug": project.slug, "need_id": need.pk})
    response = token_client(project.owner).post(url, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["met_at"]
    refused = token_client(pledger).post(
        reverse("api:pledge-list"),
        {"project": project.slug, "council": partner.code, "kind": "money",
         "amount_pence": 700, "need": need.pk},
        format="json",
    )  # fmt: skip
    assert_error(refused, 409, field="need")
    reopened = token_client(project.owner).post(
        reverse("api:project-need-reopen", kwargs={"slug": project.slug, "need_id": need.pk}),
        format="json",
    )
    assert reopened.status_code == 200 and reopened.json()["met_at"] is None
