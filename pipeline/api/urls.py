from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView
from councils.api.views import CouncilViewSet
from delivery.api.views import (
    BenefitCsvView,
    BenefitSummaryCsvView,
    BenefitViewSet,
    MilestoneDetail,
    MilestoneDone,
    MilestoneList,
    StatusReportList,
)
from projects.api.views import (
    FollowDetail,
    FollowList,
    PledgeCsvView,
    PledgeViewSet,
    ProjectCsvView,
    ProjectViewSet,
    ServiceAreaList,
    StatsView,
    TeamViewSet,
)

from .root import ApiRootView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `.json` twins of every route: they are not in the OpenAPI schema, and a format-suffix route
# such as `projects.<format>` would otherwise compete with the real `projects.csv` export.
router.include_format_suffixes = False
router.register("projects", ProjectViewSet, basename="project")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("councils", CouncilViewSet, basename="council")
router.register("team-memberships", TeamViewSet, basename="team-membership")
router.register("benefits", BenefitViewSet, basename="benefit")

app_name = "api"
READ_ONLY = ["get", "head"]

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("projects.csv", ProjectCsvView.as_view(), name="projects_csv"),
    path("pledges.csv", PledgeCsvView.as_view(), name="pledges_csv"),
    path("benefits.csv", BenefitCsvView.as_view(), name="benefits_csv"),
    path(
        "benefits-by-project.csv",
        BenefitSummaryCsvView.as_view(),
        name="benefits_summary_csv",
    ),
    path("projects/<slug:slug>/milestones/", MilestoneList.as_view(), name="project-milestones"),
    path(
        "projects/<slug:slug>/milestones/<int:pk>/",
        MilestoneDetail.as_view(),
        name="project-milestone",
    ),
    path(
        "projects/<slug:slug>/milestones/<int:pk>/done/",
        MilestoneDone.as_view(),
        name="project-milestone-done",
    ),
    path("projects/<slug:slug>/reports/", StatusReportList.as_view(), name="project-reports"),
    path("", include(router.urls)),
    path("", include("funding.api.urls")),
    path("tags/", ServiceAreaList.as_view(), name="tags"),
    path("follows/", FollowList.as_view(), name="follows"),
    path("follows/<slug:slug>/", FollowDetail.as_view(), name="follow"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("auth/token/", TokenView.as_view(), name="token"),
    # GET and HEAD only: DRF's OPTIONS metadata went through the docs page's HTML template
    # renderer, which has no template for it (500).
    path("schema/", SpectacularAPIView.as_view(http_method_names=READ_ONLY), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            http_method_names=READ_ONLY,
            template_name="api/swagger_ui.html",  # no inline style: the CSP refuses it
        ),
        name="docs",
    ),
]
