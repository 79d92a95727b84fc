"""Thin web views: add a milestone, mark one done, file a status report.

They reuse the project pages' plumbing (``projects.views``): finding a project the person may
see, the one-time submission key and the error handling of ``perform``.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.forms import form_data
from core.security import limit_shown_in_form
from projects.services.people import user_can_post_update
from projects.views.pages import _project_or_404
from projects.views.writes import form_status, perform

from . import services
from .forms import MilestoneDoneForm, MilestoneForm, StatusReportForm
from .models import Milestone


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
