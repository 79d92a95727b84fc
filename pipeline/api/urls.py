from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView
from councils.api.views import CouncilViewSet
from projects.api.views import (
    PledgeCsvView,
    PledgeViewSet,
    ProjectCsvView,
    ProjectViewSet,
    ServiceAreaList,
    StatsView,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("projects", ProjectViewSet, basename="project")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("councils", CouncilViewSet, basename="council")

app_name = "api"

urlpatterns = [
    path("projects.csv", ProjectCsvView.as_view(), name="projects_csv"),
    path("pledges.csv", PledgeCsvView.as_view(), name="pledges_csv"),
    path("", include(router.urls)),
    path("tags/", ServiceAreaList.as_view(), name="tags"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
