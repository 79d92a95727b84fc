from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from cms.sitemaps import PageSitemap
from core import views
from councils.sitemaps import CouncilSitemap
from delivery import views as delivery_views
from projects import views as project_views
from projects.sitemaps import ProjectSitemap

urlpatterns = [
    # Wagtail's own sign-in and reset forms would skip allauth's throttling; use allauth's.
    path("cms-admin/login/", views.to_account_page("account_login")),
    path("cms-admin/password_reset/", views.to_account_page("account_reset_password")),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("pipeline.api.urls")),
    # Anything else under /api/ is a JSON 404, whatever the method; it must not fall through to
    # Wagtail's page serving (an HTML CSRF 403 for DELETE /api/v1/follows/ã/).
    re_path(r"^api/", views.api_not_found, name="api_not_found"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("healthz", views.healthz_ready, name="healthz"),  # the address load balancers had
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {
                "pages": PageSitemap,
                "projects": ProjectSitemap,
                "councils": CouncilSitemap,
            }
        },
        name="sitemap",
    ),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path(".well-known/security-policy.txt", views.security_policy, name="security_policy"),
    path("favicon.ico", views.favicon, name="favicon"),
]

urlpatterns += i18n_patterns(
    # allauth.usersessions' own list: Pipeline's Sessions and tokens page shows the same.
    path(
        "accounts/sessions/",
        RedirectView.as_view(pattern_name="accounts:security"),
        name="sessions_redirect",
    ),
    path("accounts/", include("sso.urls")),  # before allauth's: guards its OIDC routes
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("delivery.portfolio_urls")),
    path("councils/", include("councils.urls")),
    path("projects/", include("delivery.urls")),
    path("projects/", include("projects.urls")),
    path("my-pipeline/", project_views.dashboard, name="dashboard"),
    path("benefits/", delivery_views.benefits_national, name="benefits"),
    path("funding/", include("funding.urls")),
    path("search/", cms_views.search, name="search"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.views.bad_request"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
