"""axe-core finds no WCAG 2.2 A or AA violation on the assessment and moderation pages, in
English and Welsh, including each form with its errors (the sweep of test_axe.py, for pages
that need a funder's assessor and moderator, built here rather than in the demo data)."""

from funding.services import assessment as services
from tests.factories.accounts import PASSWORD
from tests.funding.assessment_world import make_assessment_world

from .conftest import sign_in, submit
from .test_axe import BREADCRUMBS, ERROR_MESSAGE, ERROR_SUMMARY, SUMMARY_LIST, TABLE, TAG, Sweep


def test_no_axe_violations_on_the_assessment_pages(new_page, subtests):
    w = make_assessment_world()
    need, collaboration = w.call.criteria.order_by("position")
    services.assessment_save(
        actor=w.users["assessor2"],
        application=w.application,
        scores={need.pk: (4, "A clear, shared problem"), collaboration.pk: (1, "")},
        submit=True,
    )
    services.assessment_save(
        actor=w.users["moderator"],
        application=w.application,
        scores={need.pk: (2, ""), collaboration.pk: (1, "Partners not confirmed")},
        submit=True,
    )
    sweep = Sweep(subtests)
    queue = f"/funding/calls/{w.call.slug}/assessment/"
    assess = f"/funding/applications/{w.application.pk}/assess/"
    conflict = f"{assess}conflict/"
    moderation = f"/funding/calls/{w.call.slug}/moderation/"
    decide = f"/funding/applications/{w.application.pk}/decision/"
    publish = f"{moderation}publish/"

    assessor = new_page()
    sign_in(assessor, w.users["assessor"].email, PASSWORD)
    sweep.visit(assessor, "Assessment queue", queue, BREADCRUMBS, TABLE, TAG, SUMMARY_LIST)
    sweep.visit(assessor, "Welsh assessment queue", f"/cy{queue}", TABLE, TAG)
    sweep.visit(
        assessor, "Assess an application", assess, BREADCRUMBS, SUMMARY_LIST, ".govuk-radios"
    )
    submit(assessor, "Submit assessment")
    sweep.check(assessor, "Assess an application, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(assessor, "Welsh assess an application", f"/cy{assess}", ".govuk-radios")
    sweep.visit(assessor, "Declare a conflict", conflict, BREADCRUMBS, ".govuk-warning-text")
    submit(assessor, "Declare conflict")
    sweep.check(assessor, "Declare a conflict, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(assessor, "Welsh declare a conflict", f"/cy{conflict}", ".govuk-textarea")

    moderator = new_page()
    sign_in(moderator, w.users["moderator"].email, PASSWORD)
    sweep.visit(moderator, "Moderation", moderation, BREADCRUMBS, TABLE, TAG, SUMMARY_LIST)
    sweep.visit(moderator, "Welsh moderation", f"/cy{moderation}", TABLE, TAG)
    sweep.visit(moderator, "Decide", decide, BREADCRUMBS, ".govuk-radios", ".govuk-input__prefix")
    submit(moderator, "Save decision")
    sweep.check(moderator, "Decide, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(moderator, "Welsh decide", f"/cy{decide}", ".govuk-radios")
    sweep.visit(moderator, "Publish the decisions", publish, BREADCRUMBS, SUMMARY_LIST)
    sweep.visit(moderator, "Welsh publish the decisions", f"/cy{publish}", SUMMARY_LIST)
    print("\n" + sweep.report())
