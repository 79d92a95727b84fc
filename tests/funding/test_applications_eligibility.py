"""The live eligibility check: each rule of a call, said exactly, and read in a constant number
of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from councils.models import Nation
from funding.eligibility import application_shortfalls, word_count
from funding.models import Answer, CallQuestion, CallStatus, PartnerState
from projects.models import Phase
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CouncilCommitmentFactory,
    CouncilFactory,
    ServiceAreaFactory,
)

from .applying import answer_all, confirm_partner, eligible

pytestmark = pytest.mark.django_db


def shortfalls(application, **kwargs):
    """As the page works it out: from the bid as stored (nothing read before is reused)."""
    return application_shortfalls(type(application).objects.get(pk=application.pk), **kwargs)


def messages(application) -> list[str]:
    return [s.message for s in shortfalls(application)]


def codes(application) -> list[str]:
    return [s.code for s in shortfalls(application)]


def test_an_eligible_bid_has_no_shortfalls():
    assert shortfalls(eligible().application) == []


def test_short_of_partners_says_how_many_more_and_of_what():
    w = eligible(min_partners=3)
    w.partners[0].delete()
    w.partners[1].delete()
    (shortfall,) = shortfalls(w.application)
    assert shortfall.code == "partners"
    assert shortfall.message.startswith(
        "2 more partner councils that have signed the Local Digital Declaration"
    )
    assert "at least 3" in shortfall.message and "so far: 1" in shortfall.message
    confirm_partner(w.application)
    assert messages(w.application)[0].startswith(
        "1 more partner council that has signed the Local Digital Declaration"
    )


def test_partners_that_have_not_signed_do_not_count_and_are_named():
    w = eligible(min_partners=1)
    w.partners[0].council.commitments.all().delete()
    found = shortfalls(w.application)
    assert [s.code for s in found] == ["partners", "partner_commitment"]
    council = w.partners[0].council.short_name
    assert found[1].message == (
        f"{council} has confirmed its part but has not recorded signing the Local Digital "
        "Declaration, so it does not count yet."
    )
    assert found[1].fix_url == w.partners[0].council.get_absolute_url()


@pytest.mark.parametrize(
    "state", [PartnerState.INVITED, PartnerState.DECLINED, PartnerState.WITHDRAWN]
)
def test_only_confirmed_partners_count(state):
    w = eligible(min_partners=1)
    w.partners[0].state = state
    w.partners[0].reason = "" if state == PartnerState.INVITED else "Budget cut"
    w.partners[0].save()
    assert codes(w.application) == ["partners"]


def test_without_required_commitments_any_confirmed_partner_counts():
    w = eligible(min_partners=2)
    w.call.required_commitments.clear()
    w.partners[0].council.commitments.all().delete()
    assert shortfalls(w.application) == []
    w.partners[1].delete()
    assert messages(w.application)[0].startswith("1 more partner council (")


def test_the_lead_council_must_have_signed_what_the_call_requires():
    w = eligible()
    w.lead.commitments.all().delete()
    (shortfall,) = shortfalls(w.application)
    assert shortfall.message == (
        f"Your council ({w.lead.short_name}) has not recorded signing the Local Digital "
        "Declaration."
    )
    assert shortfall.fix_url == w.lead.get_absolute_url()


def test_a_call_for_councils_in_wales():
    w = eligible()
    w.call.nations = [Nation.WALES]
    w.call.save()
    partner = w.partners[0].council.short_name
    assert messages(w.application) == [
        f"This call is for councils in Wales; {w.lead.short_name} is in England.",
        "1 more partner council that has signed the Local Digital Declaration (this call asks "
        "for at least 1; confirmed and counted so far: 0).",
        f"{partner} is in England and this call is for councils in Wales, so it does not count "
        "as a partner.",
    ]


def test_partners_must_be_in_the_calls_nations_and_types_too():
    w = eligible(min_partners=1)
    w.call.nations = [Nation.ENGLAND]
    w.call.council_types = [w.lead.authority_type]
    w.call.save()
    assert shortfalls(w.application) == []
    welsh = w.partners[0].council
    welsh.nation = Nation.WALES
    welsh.save()
    assert codes(w.application) == ["partners", "partner_not_eligible"]
    welsh.nation = Nation.ENGLAND
    welsh.authority_type, welsh.authority_type_name = "UA", "Unitary authority"
    welsh.save()
    found = shortfalls(w.application)
    assert [s.code for s in found] == ["partners", "partner_not_eligible"]
    assert found[1].message == (
        f"{welsh.short_name} is a Unitary authority and this call is for these council types: "
        f"{w.lead.type_display}, so it does not count as a partner."
    )


def test_a_call_for_some_council_types():
    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    CouncilFactory(authority_type="LBO", authority_type_name="London borough")
    w = eligible()
    w.call.council_types = ["UA", "LBO"]
    w.call.save()
    assert messages(w.application)[0] == (
        "This call is for these council types: Unitary authority or London borough; "
        f"{w.lead.short_name} is a Non-metropolitan district."
    )
    assert codes(w.application) == ["lead_council_type", "partners", "partner_not_eligible"]


def test_a_call_for_some_service_areas():
    w = eligible()
    waste, housing = ServiceAreaFactory(name="Waste"), ServiceAreaFactory(name="Housing")
    w.call.service_areas.set([waste, housing])
    (shortfall,) = shortfalls(w.application)
    assert shortfall.message == (
        "This call funds projects in these service areas: Housing or Waste. Your project is in "
        "none of them."
    )
    assert shortfall.fix_url == f"/projects/{w.project.slug}/edit/about/"
    w.project.service_areas.add(housing)
    assert shortfalls(w.application) == []


def test_a_call_for_some_phases():
    w = eligible(phase=Phase.ALPHA)
    w.call.phases = [Phase.DISCOVERY, Phase.BETA]
    w.call.save()
    (shortfall,) = shortfalls(w.application)
    assert shortfall.message == (
        "This call funds these phases: discovery or beta; your application is for alpha."
    )
    assert shortfall.field == "phase"


def test_the_amount_must_be_given_and_within_the_maximum_award():
    w = eligible(amount_requested=80_000_01)
    assert messages(w.application) == [
        "The amount requested is more than the maximum award of £80,000."
    ]
    w.application.amount_requested = 80_000_00
    w.application.save()
    assert shortfalls(w.application) == []
    w.application.amount_requested = None
    w.application.save()
    assert messages(w.application) == ["Enter the amount of money you are asking for."]


def test_the_summary_is_needed():
    w = eligible(summary="  ")
    assert codes(w.application) == ["summary_missing"]


def test_required_questions_must_be_answered_and_optional_ones_need_not():
    w = eligible()
    first, second = w.call.questions.all()
    Answer.objects.filter(question=first).update(text="")
    second.required = False
    second.save()
    Answer.objects.filter(question=second).delete()
    found = shortfalls(w.application)
    assert [s.message for s in found] == [f"Answer the question ‘{first.text}’."]
    assert found[0].field == f"answer_{first.pk}"
    assert found[0].fix_url.endswith(f"/edit/#id_answer_{first.pk}")


def test_answers_over_their_word_limit():
    w = eligible()
    question = w.call.questions.first()
    question.word_limit = 5
    question.save()
    Answer.objects.filter(question=question).update(text="one two three four five six")
    assert messages(w.application) == [
        f"Your answer to ‘{question.text}’ is 6 words; the limit is 5."
    ]


def test_word_counts_are_what_a_person_counts():
    assert word_count("") == 0
    assert word_count("  one\ntwo\t three  ") == 3


def test_a_closed_call_says_when_it_closed_in_london_time():
    closes = datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC)
    call = CallFactory(
        opens_at=closes - datetime.timedelta(days=30), closes_at=closes, min_partners=1
    )
    w = eligible(call=call)
    with time_machine.travel(closes, tick=False):
        assert messages(w.application) == ["This call closed at 12:00 on 4 March 2026."]
    summer = datetime.datetime(2026, 6, 4, 11, 0, tzinfo=datetime.UTC)  # 12:00 BST
    w.call.closes_at = summer
    w.call.save()
    with time_machine.travel(summer + datetime.timedelta(seconds=1), tick=False):
        assert messages(w.application) == ["This call closed at 12:00 on 4 June 2026."]
    with time_machine.travel(summer - datetime.timedelta(seconds=1), tick=False):
        assert shortfalls(w.application) == []
    # Submission checks the clock itself, last.
    with time_machine.travel(summer, tick=False):
        assert shortfalls(w.application, clock=False) == []


def test_a_call_not_yet_open_or_not_published():
    w = eligible()
    w.call.opens_at = timezone.now() + datetime.timedelta(days=1)
    w.call.save()
    assert codes(w.application) == ["call_not_open"]
    w.call.status, w.call.published_at = CallStatus.DRAFT, None
    w.call.save()
    assert codes(w.application) == ["call_not_published"]


def test_a_hidden_project_cannot_apply():
    w = eligible()
    w.project.is_hidden, w.project.hidden_reason = True, "Spam"
    w.project.save()
    assert codes(w.application) == ["project_not_published"]


def test_shortfalls_come_in_welsh():
    w = eligible(amount_requested=None)
    w.call.nations = [Nation.WALES]
    w.call.save()
    with translation.override("cy"):
        found = messages(w.application)
    assert found[0] == (
        f"Mae’r alwad hon ar gyfer cynghorau yn y wlad hon: Cymru. Gwlad {w.lead.short_name} yw "
        "Lloegr."
    )
    assert found[2] == (
        f"Gwlad {w.partners[0].council.short_name} yw Lloegr, ac mae’r alwad hon ar gyfer "
        "cynghorau yn y wlad hon: Cymru, felly nid yw’n cyfrif fel partner."
    )
    assert found[3] == "Rhowch swm yr arian rydych yn gofyn amdano."
    w.partners[0].delete()
    with translation.override("cy"):
        partners = messages(w.application)[1]
    assert partners.startswith(
        "Mae angen 1 cyngor partner arall sydd wedi llofnodi’r Datganiad Digidol Lleol"
    )


def test_everything_missing_at_once_in_the_order_an_applicant_works_through_it():
    w = eligible(min_partners=2, amount_requested=None, summary="")
    w.lead.commitments.all().delete()
    for partner in w.partners:
        partner.delete()
    Answer.objects.filter(application=w.application).delete()
    assert codes(w.application) == [
        "lead_commitment",
        "partners",
        "summary_missing",
        "amount_missing",
        "answer_missing",
        "answer_missing",
    ]


def _queries(application) -> int:
    application = type(application).objects.get(pk=application.pk)  # nothing prefetched
    with CaptureQueriesContext(connection) as queries:
        application_shortfalls(application)
    return len(queries)


def test_the_check_reads_a_constant_number_of_queries():
    """However many partners, questions and answers: the page runs it on every view."""
    small = eligible(min_partners=1)
    large = eligible(min_partners=6)
    area = ServiceAreaFactory()
    for w in (small, large):
        w.call.service_areas.add(area)
        w.project.service_areas.add(area)
    for position in range(3, 12):
        CallQuestion.objects.create(call=large.call, position=position, text=f"Question {position}")
    answer_all(large.application)
    extra = CommitmentFactory(name="Another pledge", slug="another")
    large.call.required_commitments.add(extra)
    CouncilCommitmentFactory(council=large.lead, commitment=extra)
    for partner in large.partners:
        CouncilCommitmentFactory(council=partner.council, commitment=extra)
    assert shortfalls(large.application) == []
    assert _queries(small.application) == _queries(large.application)


def test_council_type_names_serve_a_calls_rules_and_its_shortfalls_alike():
    """One reading of the register's type names: for some codes (the shortfall) or for every
    type on Pipeline (the call's form and page); a code no council names stands for itself,
    and a council with no name for its type does not hide another's."""
    from funding.selectors.calls import council_type_names

    CouncilFactory(authority_type="UA", authority_type_name="")
    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    CouncilFactory(authority_type="LBO", authority_type_name="London borough")
    assert council_type_names(["LBO", "XYZ", "UA"]) == {
        "LBO": "London borough",
        "XYZ": "XYZ",
        "UA": "Unitary authority",
    }
    assert council_type_names() == {
        "LBO": "London borough",
        "UA": "Unitary authority",
    }


def test_a_call_for_a_council_type_names_it_in_welsh():
    from django.utils import translation

    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    w = eligible()
    w.call.council_types = ["UA"]
    w.call.save()
    with translation.override("cy"):
        message = messages(w.application)[0]
    assert "Unitary authority" not in message
