"""axe-core finds no WCAG 2.2 A or AA violation on the similar-bids and combining pages, in
English and Welsh, including each form with its errors (the sweep of test_axe.py, for pages
that need a funder's moderator and the lead councils' officers, built here)."""

from tests.factories.accounts import PASSWORD
from tests.funding.combining_world import make_combining_world, suggest

from .conftest import sign_in, submit
from .test_axe import BREADCRUMBS, ERROR_MESSAGE, ERROR_SUMMARY, SUMMARY_LIST, TABLE, TAG, Sweep


def test_no_axe_violations_on_the_combining_pages(new_page, subtests):
    w = make_combining_world()
    suggestion = suggest(w, continuing=w.continuing, absorbed=w.parking_bid, note="Both online")
    sweep = Sweep(subtests)
    similar = f"/funding/calls/{w.call.slug}/similar/"
    pair = f"?first={w.continuing.pk}&second={w.absorbed.pk}"
    suggest_page = f"/funding/calls/{w.call.slug}/similar/combine/{pair}"
    answer = f"/funding/combining/{suggestion.pk}/"

    moderator = new_page()
    sign_in(moderator, w.users["moderator"].email, PASSWORD)
    sweep.visit(moderator, "Similar bids", similar, BREADCRUMBS, TABLE)
    sweep.visit(moderator, "Welsh similar bids", f"/cy{similar}", TABLE)
    sweep.visit(moderator, "Suggest combining", suggest_page, BREADCRUMBS, SUMMARY_LIST)
    submit(moderator, "Suggest combining")
    sweep.check(moderator, "Suggest combining, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(moderator, "Welsh suggest combining", f"/cy{suggest_page}", ".govuk-radios")
    sweep.visit(moderator, "A suggestion, for the funder", answer, SUMMARY_LIST, TAG)

    lead = new_page()
    sign_in(lead, w.users["lead_approver"].email, PASSWORD)
    sweep.visit(lead, "A suggestion, for a lead council", answer, BREADCRUMBS, SUMMARY_LIST)
    submit(lead, "Decline the suggestion")
    sweep.check(lead, "A suggestion, declined without a reason", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(lead, "Welsh suggestion", f"/cy{answer}", SUMMARY_LIST)
    print("\n" + sweep.report())
