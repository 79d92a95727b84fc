"""Under /funding/: each part of the funding journey keeps its routes beside its views."""

from .views import applications, assessment, calls, combining, partners

app_name = "funding"

urlpatterns = [
    *calls.urlpatterns,
    *applications.urlpatterns,
    *partners.urlpatterns,
    *assessment.urlpatterns,
    *combining.urlpatterns,
]
