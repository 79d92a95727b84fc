"""Settings shared by every environment.

Secure by default: DEBUG is off and there is no secret key unless the environment gives one.
``dev`` and ``test`` relax what they need to; ``production`` tightens the rest.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (see README, 'Settings').")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pipeline",
    "accounts",
    "councils",
    "projects",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pipeline.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pipeline.security.RequestGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pipeline.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "pipeline.urls"
WSGI_APPLICATION = "pipeline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pipeline.context_processors.site",
                "cms.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# DATABASE_URL selects the database; without it, a SQLite file beside the project (demo only).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
SHARED_CACHE_URL = env("CACHE_URL", env("REDIS_URL"))


def _cache(url: str | None, name: str) -> dict:
    if url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}


CACHES = {
    # Rate limits, sign-in lockouts, throttles.
    "default": _cache(SHARED_CACHE_URL, "default"),
    # Responses for readers who are not signed in (pipeline.pagecache): best a Redis of its own
    # with maxmemory and allkeys-lru, so that pages never evict the counters above.
    "pages": _cache(env("PAGE_CACHE_URL", SHARED_CACHE_URL), "pages"),
}
# How long pages are kept. On only with a shared cache: every worker must see the version bump
# that retires them when content changes.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "60" if SHARED_CACHE_URL else "0"))
# X-Page-Cache: hit|miss on responses (tests, debugging); off in production, where a hit would
# tell anyone that someone else had just asked for the same address.
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER", False)

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset never say whether an address has an account: both answer as if
# all went well, and the address's owner gets an email that says what happened (Pipeline's
# wording in templates/account/email/). Both are rate limited below.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# allauth's sign-in and sign-up forms with error messages that name the field (GOV.UK style).
ACCOUNT_FORMS = {
    "login": "accounts.account_forms.LoginForm",
    "signup": "accounts.account_forms.SignupForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pipeline] "
# Login throttling: allauth counts failures per IP and per account in the shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
# Wagtail pages have a version per language (wagtail.locales, and simple_translation's
# "Translate" action in the admin). A page not yet translated is served in its own language
# under /cy/ too (cms.models.HomePage.route), with lang="en-GB" on its text.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The project's own strings (makemessages writes locale/), then Welsh that our packages lack:
# allauth's account pages and emails, Django's password rules and form errors. The first path
# wins where both have a string.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_build"
STATICFILES_DIRS = [BASE_DIR / "pipeline" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Pipeline <noreply@pipeline.localgov.digital>")

# --- Background tasks (django-tasks; Wagtail uses the same) --------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# --- Wagtail -------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Pipeline"
# The site's address as people reach it, for links in emails sent outside a request
# (notifications, digests, moderation) and in Wagtail's. Without it: the first allowed host
# over HTTPS, else where `make run PORT=…` serves (it passes PORT on). allauth's emails are
# sent while a request is answered and link to the address it came to.
PIPELINE_BASE_URL = (
    env("PIPELINE_BASE_URL")
    or env("WAGTAILADMIN_BASE_URL")  # its former name
    or (f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS[0] else "")
    or f"http://127.0.0.1:{env('PORT', '8000')}"
).rstrip("/")
WAGTAILADMIN_BASE_URL = PIPELINE_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
# No autosave: on a new page it saved a draft into the page tree as soon as the form was valid
# (a collection while its projects were still being chosen), which the editor did not know was
# there, so starting again met "this slug is already in use". Editors save drafts themselves,
# and Wagtail still warns before leaving unsaved changes.
WAGTAIL_AUTOSAVE_INTERVAL = 0
# Avatars from Wagtail's own upload only: Gravatar would be sent a hash of each editor's email.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pipeline.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "pipeline.api.pagination.StableCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pipeline.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "pipeline.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "pipeline.security.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "120/min"),
        "user": env("API_THROTTLE_USER", "600/min"),
        "token": env("API_THROTTLE_TOKEN", "10/hour"),
    },
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pipeline API",
    "DESCRIPTION": (
        "Open data and actions for shared council digital projects. Reading published data "
        "needs no sign-in. To act, send a personal token as `Authorization: Bearer <token>` "
        "(create one on your profile page or with `POST /api/v1/auth/token/`). Money is in "
        "integer pence with a currency; staff time is in exact days (whole or half). Every "
        "error has the same shape: `status`, `code`, `message` and `errors` by field."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "PREPROCESSING_HOOKS": ["pipeline.openapi.public_api_only"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStateEnum": "projects.models.State",
        "PledgeStateEnum": "projects.models.PledgeState",
        "PhaseEnum": "projects.models.Phase",
        "KindEnum": "projects.models.Kind",
        "RoleEnum": "projects.models.Role",
        "LanguageEnum": "projects.models.Language",
    },
}
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 60

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# SAMEORIGIN (not DENY) so Wagtail's preview can frame our own pages; CSP frame-ancestors
# says the same for browsers that read it.
X_FRAME_OPTIONS = "SAMEORIGIN"
# No inline scripts or styles anywhere on the public site. Wagtail's admin is staff-only and
# still needs inline code, so it is left out of this policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms-admin/"],
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Client addresses (rate limits, security log) come from X-Forwarded-For only when this many
# trusted proxies stand in front of the app; otherwise from the connection.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# Form fields and JSON bodies larger than this are refused (400/413) before they are parsed;
# the longest text Pipeline takes is a 20,000-character description. Uploads are not counted.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DJANGO_MAX_BODY_BYTES", str(1024 * 1024)))
# Writes each person (or address, signed out) may make per window, in the shared cache
# (pipeline.security). Sign-up and sign-in limits are allauth's ACCOUNT_RATE_LIMITS above.
PIPELINE_RATE_LIMITS = {
    "pledge": env("RATE_LIMIT_PLEDGE", "30/h"),
    "join": env("RATE_LIMIT_JOIN", "20/h"),
    "update": env("RATE_LIMIT_UPDATE", "20/h"),
    "token": env("RATE_LIMIT_TOKEN", "10/h"),
}

# --- Pipeline ------------------------------------------------------------------------------
PIPELINE_SERVICE_NAME = "Pipeline"
# Where to report a vulnerability (/.well-known/security.txt, RFC 9116): a mailto: or https: URI.
PIPELINE_SECURITY_CONTACT = env("SECURITY_CONTACT", "mailto:pipeline@localgov.digital")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # One JSON object per event (pipeline.security): sign-in failures, refusals, tokens,
        # membership decisions, rate limits. Send it to your log store as it is.
        "pipeline.security": {"level": env("SECURITY_LOG_LEVEL", "INFO")},
    },
}
