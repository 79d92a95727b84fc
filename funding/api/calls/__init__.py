"""API routes: funding calls (read-only; funders change them on the pages)."""

from rest_framework.routers import DefaultRouter

from .views import CallViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("calls", CallViewSet, basename="call")

urlpatterns: list = list(router.urls)
