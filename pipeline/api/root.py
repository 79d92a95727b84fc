"""``/api/v1/``: where everything is, so a client can start from one address."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import ApiView

# Key in the answer → URL name: every list, the CSV exports, the token exchange, docs, schema.
LINKS = {
    "projects": "api:project-list",
    "pledges": "api:pledge-list",
    "councils": "api:council-list",
    "tags": "api:tags",
    "stats": "api:stats",
    "follows": "api:follows",
    "projects_csv": "api:projects_csv",
    "pledges_csv": "api:pledges_csv",
    "benefits": "api:benefit-list",
    "benefits_summary": "api:benefit-summary",
    "benefits_csv": "api:benefits_csv",
    "benefits_summary_csv": "api:benefits_summary_csv",
    "calls": "api:call-list",
    "applications": "api:application-list",
    "applications_csv": "api:applications_csv",
    "token": "api:token",
    "docs": "api:docs",
    "schema": "api:schema",
}


class ApiRootSerializer(serializers.Serializer):
    projects = serializers.URLField(help_text="Published projects (cursor pages)")
    pledges = serializers.URLField(help_text="The public pledge ledger (cursor pages)")
    councils = serializers.URLField(help_text="The council register (cursor pages)")
    tags = serializers.URLField(help_text="Service-area tags")
    stats = serializers.URLField(help_text="The home page's headline figures")
    follows = serializers.URLField(help_text="Projects you follow (signed in)")
    projects_csv = serializers.URLField(help_text="Projects as CSV")
    pledges_csv = serializers.URLField(help_text="Pledges as CSV")
    benefits = serializers.URLField(help_text="Benefits adopting councils report (cursor pages)")
    benefits_summary = serializers.URLField(help_text="Benefits added up nationally and by project")
    benefits_csv = serializers.URLField(help_text="Benefits as CSV")
    benefits_summary_csv = serializers.URLField(help_text="Benefits by project as CSV")
    calls = serializers.URLField(help_text="Funding calls: open, opening soon, closed, decided")
    applications = serializers.URLField(
        help_text="Submitted funding applications and decisions (cursor pages)"
    )
    applications_csv = serializers.URLField(help_text="Submitted funding applications as CSV")
    token = serializers.URLField(help_text="POST your email and password for a personal token")
    docs = serializers.URLField(help_text="This API's documentation")
    schema = serializers.URLField(help_text="This API's OpenAPI description")


@extend_schema(
    summary="Where everything is: every list, the CSV exports, the token exchange, the docs",
    responses={200: ApiRootSerializer},
)
class ApiRootView(ApiView, APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({key: request.build_absolute_uri(reverse(n)) for key, n in LINKS.items()})
