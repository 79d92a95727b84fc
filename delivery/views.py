"""Thin web views: add a milestone, mark one done, file a status report, record a council's
benefits, the national benefits page, and the portfolios (a council's and the national one).

They reuse the project pages' plumbing (``projects.views``): finding a project the person may
see, the one-time submission key and the error handling of ``perform``.
"""

from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import acts_as_organiser
from core import pagecache
from core.api.pagination import cursor_page
from core.forms import form_data
from core.security import limit_shown_in_form
from councils.models import Council
from projects.exports import base_url, csv_response
from projects.models import Adoption
from projects.scopes import LISTING, SUPPORT
from projects.services.people import user_can_post_update
from projects.views.pages import _project_or_404
from projects.views.writes import form_status, perform

from . import portfolio, selectors, services
from .exports import portfolio_columns, portfolio_csv_rows
from .filters import PortfolioFilterSet
from .forms import BenefitForm, MilestoneDoneForm, MilestoneForm, StatusReportForm
from .models import Benefit, Milestone
from .scopes import DELIVERY


def _team_project_or_403(request: HttpRequest, slug: str):
    project = _project_or_404(request, slug)
    if not user_can_post_update(request.user, project):
        return render(
            request,
            "403.html",
            {"reason": _("Only the project's team can do this.")},
            status=403,
        )
    return project


@login_required
@limit_shown_in_form
def milestone_new(request: HttpRequest, slug: str) -> HttpResponse:
    project = _team_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form = MilestoneForm(form_data(request))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            milestone = services.milestone_add(
                actor=request.user, project=project, **form.cleaned_data
            )
            return milestone.get_absolute_url()

        done = perform(request, write, form=form, done=_("The milestone is on the timeline."))
        if done:
            return done
    return render(
        request,
        "delivery/milestone_form.html",
        {"project": project, "form": form},
        status=form_status(form),
    )


@login_required
@limit_shown_in_form
def milestone_done(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _team_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    milestone = get_object_or_404(Milestone, pk=pk, project=project)
    initial = {"evidence_url": milestone.evidence_url}
    form = MilestoneDoneForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            services.milestone_mark_done(
                actor=request.user, milestone=milestone, **form.cleaned_data
            )
            return milestone.get_absolute_url()

        done = perform(request, write, form=form, done=_("The milestone is marked as done."))
        if done:
            return done
    return render(
        request,
        "delivery/milestone_done.html",
        {"project": project, "milestone": milestone, "form": form},
        status=form_status(form),
    )


@login_required
@limit_shown_in_form
def report_new(request: HttpRequest, slug: str) -> HttpResponse:
    project = _team_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form = StatusReportForm(form_data(request))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            report = services.status_report_file(
                actor=request.user, project=project, **form.service_arguments()
            )
            return report.get_absolute_url()

        done = perform(
            request,
            write,
            form=form,
            done=_("Your status report is filed. Followers and partner councils will hear of it."),
        )
        if done:
            return done
    return render(
        request,
        "delivery/report_form.html",
        {"project": project, "form": form},
        status=form_status(form),
    )


# --- benefits -------------------------------------------------------------------------------


def _benefit_initial(benefit: Benefit | None) -> dict:
    if benefit is None:
        return {}
    return {
        "cashable_savings": _pounds(benefit.cashable_savings) if benefit.cashable_savings else "",
        "hours_saved": benefit.hours_saved or "",
        "people_served": benefit.people_served or "",
        "non_cashable": benefit.non_cashable,
        "evidence_url": benefit.evidence_url,
        "confidence": benefit.confidence,
    }


def _pounds(pence: int) -> str:
    """Pence as the pounds a person would type back: 1234550 → '12345.50'."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}" if rest else str(pounds)


@login_required
@limit_shown_in_form
def benefit_edit(request: HttpRequest, slug: str, council: str) -> HttpResponse:
    """Record, or bring up to date, what the adopting council gets from the product."""
    project = _project_or_404(request, slug)
    adoption = get_object_or_404(
        Adoption.objects.select_related("council", "project"),
        project=project,
        council__slug=council,
    )
    if not services.user_can_record_benefit(request.user, adoption):
        return render(
            request,
            "403.html",
            {
                "reason": _("Only verified members of %(council)s can record its benefits.")
                % {"council": adoption.council.display_name}
            },
            status=403,
        )
    benefit = Benefit.objects.filter(adoption=adoption).first()
    form = BenefitForm(form_data(request), initial=_benefit_initial(benefit))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            saved, _created = services.benefit_record(
                actor=request.user, adoption=adoption, **form.cleaned_data
            )
            return saved.get_absolute_url()

        done = perform(
            request,
            write,
            form=form,
            done=_("Thank you. The project’s page now shows what %(council)s gets from it.")
            % {"council": adoption.council.display_name},
        )
        if done:
            return done
    return render(
        request,
        "delivery/benefit_form.html",
        {"project": project, "adoption": adoption, "benefit": benefit, "form": form},
        status=form_status(form),
    )


def benefits_national(request: HttpRequest) -> HttpResponse:
    """What every adopting council reports, added up nationally and per project."""
    # Benefits retire the support figures' tag (``scopes``); a project's own row, every page.
    pagecache.depends_on(SUPPORT)
    rows = selectors.benefits_by_project()
    return render(
        request,
        "delivery/benefits.html",
        {
            "totals": selectors.national_benefit_totals(),
            "rows": rows,
            "chart": selectors.benefit_savings_chart(rows),
        },
    )


# --- portfolios ---------------------------------------------------------------------------

PORTFOLIO_PAGE_SIZE = 50
# Newest published first, as the project listing: plain fields, so cursor pages are exact.
PORTFOLIO_ORDERING = ("-published_at", "-pk")


def _portfolio(request: HttpRequest, *, council: Council | None):
    """The filterset and its matching projects, for the page and its CSV alike."""
    if council is None:
        projects = portfolio.national_portfolio_projects()
    else:
        projects = portfolio.council_portfolio_projects(council=council)
    filterset = PortfolioFilterSet(request.GET, queryset=projects, council=council)
    matching = filterset.qs if filterset.is_valid() else projects.none()
    return filterset, matching.order_by(*PORTFOLIO_ORDERING)


class _PortfolioParts:
    """The page of rows and the totals, read only if the page's kept part is missing."""

    def __init__(self, request: HttpRequest, matching, *, council, filterset):
        self.request, self.matching, self.council, self.filterset = (
            request,
            matching,
            council,
            filterset,
        )

    @cached_property
    def page(self):
        return cursor_page(
            self.request, self.matching, ordering=PORTFOLIO_ORDERING, page_size=PORTFOLIO_PAGE_SIZE
        )

    @cached_property
    def rows(self) -> list:
        return portfolio.portfolio_rows(self.page.object_list, council=self.council)

    @cached_property
    def total(self):
        valid = self.filterset.is_valid()
        return portfolio.portfolio_total(
            projects=self.matching,
            council=self.council,
            filters=self.filterset.form.cleaned_data if valid else {},
        )


def _render_portfolio(request: HttpRequest, *, council: Council | None) -> HttpResponse:
    """The table is kept (``PART_CACHE_SECONDS``) under the address asked, the date (days since
    a report move with it) and the version of pledges, listings and delivery everywhere: the
    same for every reader of the page, who has been let in before it is read."""
    filterset, matching = _portfolio(request, council=council)
    query = urlencode([(k, v) for k, vs in request.GET.lists() if k != "cursor" for v in vs])
    return render(
        request,
        "delivery/portfolio.html",
        {
            "council": council,
            "filterset": filterset,
            "form": filterset.form,  # the page's title starts "Error:" when a filter is wrong
            "parts": _PortfolioParts(request, matching, council=council, filterset=filterset),
            "parts_version": pagecache.part_version(LISTING, SUPPORT, DELIVERY),
            "today": timezone.localdate().isoformat(),
            "query": query,
            "active_filters": sum(
                1 for name, values in request.GET.lists() if name != "cursor" and any(values)
            ),
        },
    )


def _filter_errors(filterset: PortfolioFilterSet) -> str:
    form = filterset.form
    return "; ".join(
        f"{form[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
        for name, errors in form.errors.items()
    )


def _portfolio_csv(request: HttpRequest, *, council: Council | None, filename: str):
    filterset, matching = _portfolio(request, council=council)
    if not filterset.is_valid():
        return render(
            request,
            "400.html",
            {"reason": _("Check the filters: %(errors)s") % {"errors": _filter_errors(filterset)}},
            status=400,
        )
    rows = portfolio.portfolio_rows(matching, council=council)
    return csv_response(
        request,
        filename,
        portfolio_columns(national=council is None),
        portfolio_csv_rows(rows, base_url(request), national=council is None),
    )


def council_portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    """A council's portfolio, public: the visible projects it leads and those it supports."""
    council = get_object_or_404(Council, slug=slug)
    return _render_portfolio(request, council=council)


def council_portfolio_csv(request: HttpRequest, slug: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=slug)
    return _portfolio_csv(
        request, council=council, filename=f"pipeline-portfolio-{council.code}.csv"
    )


def _organiser_or_403(request: HttpRequest) -> HttpResponse | None:
    """Organisers only; one without a second factor is sent to set it up."""
    if not acts_as_organiser(request.user):
        return render(
            request,
            "403.html",
            {"reason": _("Only Pipeline's organisers can see the national portfolio.")},
            status=403,
        )
    return None


@login_required
def national_portfolio(request: HttpRequest) -> HttpResponse:
    """Every visible project's delivery and the money and days committed, for organisers."""
    refused = _organiser_or_403(request)
    return refused or _render_portfolio(request, council=None)


@login_required
def national_portfolio_csv(request: HttpRequest) -> HttpResponse:
    refused = _organiser_or_403(request)
    return refused or _portfolio_csv(request, council=None, filename="pipeline-portfolio.csv")
