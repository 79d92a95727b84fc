"""Under /api/v1/: the funding endpoints, each part's beside its views."""

from . import applications, assessment, calls, combining, partners

urlpatterns = [
    *calls.urlpatterns,
    *applications.urlpatterns,
    *partners.urlpatterns,
    *assessment.urlpatterns,
    *combining.urlpatterns,
]
