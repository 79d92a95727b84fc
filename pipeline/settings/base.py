"""Settings shared by every environment.

Secure by default: DEBUG is off and there is no secret key unless the environment gives one.
``dev`` and ``test`` relax what they need to; ``production`` tightens the rest.
"""

import json
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
    "core",
    "pipeline",
    "demo",
    "accounts",
    "councils",
    "projects",
    "delivery",
    "funding",
    "cms",
    "mail",
    "jobs",
    "activity",
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
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
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
    "core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.RequestGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PreviewFramingMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
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
                "core.context_processors.site",
                "cms.context_processors.navigation",
                "accounts.context_processors.second_factor",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# DATABASE_URL selects the database; without it, a SQLite file beside the project (demo only).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with fast timestamp reading (core/db/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"
# PostgreSQL through psycopg 3's connection pool, one pool per process: a request borrows a
# connection and gives it back, so a worker never pays for a new connection and the server never
# sees more than (processes x DATABASE_POOL_MAX_SIZE). The pool only hands out connections that
# answer, so a restarted database costs a retry, not an error page. DATABASE_POOL=0 turns it off
# (for PgBouncer in transaction mode, say).
if DATABASES["default"]["ENGINE"] == "core.db.postgresql" and env_bool("DATABASE_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, not Django
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(env("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": int(env("DATABASE_POOL_TIMEOUT", "10")),  # seconds to wait for a connection
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A few PostgreSQL indexes also hold columns they are not sorted by, so that a listing is
    # read from the index alone (projects.Pledge). SQLite builds them without those columns,
    # which the demo's few rows never notice: Django's warning that it does is not for it.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
SHARED_CACHE_URL = env("CACHE_URL", env("REDIS_URL"))


# Redis caches go through core.cache: when Redis does not answer, the site carries on
# without it (reads miss, rate limits let requests through) except for the sign-in and token
# limits, which answer 503. A Redis that hangs costs at most these timeouts, in seconds.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


def cache_settings(url: str | None, name: str) -> dict:
    if url:
        return {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}


CACHES = {
    # Rate limits, sign-in lockouts, throttles.
    "default": cache_settings(SHARED_CACHE_URL, "default"),
    # Responses for readers who are not signed in (core.pagecache): best a Redis of its own
    # with maxmemory and allkeys-lru, so that pages never evict the counters above.
    "pages": cache_settings(env("PAGE_CACHE_URL", SHARED_CACHE_URL), "pages"),
}
# Sessions: with a shared cache, read from Redis and written through to the database
# (cached_db), so no app server holds one and a Redis outage or restart signs nobody out: a
# session the cache has lost is read from its table again. Without one, the database alone (a
# per-process cache would hand one process a session another had since changed).
if SHARED_CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long pages are kept. On only with a shared cache: every worker must see the version bump
# that retires them when content changes.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "60" if SHARED_CACHE_URL else "0"))
# Parts of pages that are the same for everyone (a project's charts, pledges and updates, a
# listing's rows), kept in the pages cache under a version that any change to what they show
# moves (core.pagecache.part_versions), for signed-in readers too. Bounded by this for what
# changes with the clock, like the page cache; on only with a shared cache.
PART_CACHE_SECONDS = int(env("PART_CACHE_SECONDS", "60" if SHARED_CACHE_URL else "0"))
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
# Failed sign-ins are counted fail-closed: without the cache, sign-in answers 503.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Client addresses (every rate limit, DRF's throttles, the security log) come from
# X-Forwarded-For only when this many trusted proxies stand in front of the app; otherwise from
# the connection. core.security.client_ip reads it through allauth.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# Login throttling: allauth counts failures per IP and per account in the shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    # Asking again for a password or a two-factor code before changing what protects the
    # account (adding or removing an authenticator, new recovery codes).
    "reauthenticate": "10/m/user",
}
# Two-factor authentication (allauth's MFA; README, "Two-factor authentication"). Organisers,
# council admins and approvers must enrol before they use those powers (accounts.mfa). A wrong
# code at sign-in counts toward "login_failed" above, per account: five in five minutes and
# the form refuses to check more.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Pipeline"
MFA_RECOVERY_CODE_COUNT = 10
# Passkeys and security keys as a second factor only, not to sign in without a password.
MFA_PASSKEY_LOGIN_ENABLED = False
# Never on in production: WebAuthn over plain http (the demo at http://127.0.0.1, tests).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.AuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.ReauthenticateForm",
    "activate_totp": "accounts.mfa_forms.ActivateTOTPForm",
    "add_webauthn": "accounts.mfa_forms.AddWebAuthnForm",
    "authenticate_webauthn": "accounts.mfa_forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "accounts.mfa_forms.ReauthenticateWebAuthnForm",
    "edit_webauthn": "accounts.mfa_forms.EditWebAuthnForm",
}

# --- Sessions and people's own data (issue 19, parts 3 and 4) -----------------------------
# allauth.usersessions lists each signed-in browser (address, browser, last seen) on the
# Sessions and tokens page and ends them. Its own activity tracking writes on every request,
# so accounts.middleware.SessionActivityMiddleware refreshes "last seen" instead, at most once
# every SESSION_ACTIVITY_SECONDS per browser.
INSTALLED_APPS.insert(INSTALLED_APPS.index("allauth.account") + 1, "allauth.usersessions")
MIDDLEWARE.insert(
    MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware") + 1,
    "accounts.middleware.SessionActivityMiddleware",
)
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_ACTIVITY_SECONDS = int(env("SESSION_ACTIVITY_SECONDS", "300"))

# --- Single sign-on per council (OpenID Connect; sso/, README "Connecting a council's
# identity provider") ----------------------------------------------------------------------
# Councils' providers are configured by organisers in the Wagtail admin, not here: the adapter
# builds allauth's apps from them. Passwords still work beside them.
INSTALLED_APPS += [  # noqa: F405 - kept apart from the list above to ease merges
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "sso",
]
SOCIALACCOUNT_ADAPTER = "sso.adapter.CouncilSocialAccountAdapter"
# First sign-in creates the account without a form; the adapter refuses unverified or
# unvouched addresses before that, and links an existing account only by a vouched address.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # starting a sign-in is a POST (no sign-in by link)
# allauth keeps tokens in plain text: Pipeline keeps the refresh token itself, encrypted.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_QUERY_EMAIL = True
# Seconds to wait for a council's provider before saying it cannot be reached.
SOCIALACCOUNT_REQUESTS_TIMEOUT = int(env("SSO_REQUESTS_TIMEOUT", "5"))
# Key for client secrets and refresh tokens stored in the database (Fernet, via HKDF); without
# it, derived from DJANGO_SECRET_KEY. Set it so that rotating the secret key keeps them.
SSO_SECRET_KEY = env("SSO_SECRET_KEY", "")
# An http:// issuer on the loopback (a test provider); never in production.
SSO_ALLOW_LOOPBACK_ISSUER = env_bool("SSO_ALLOW_LOOPBACK_ISSUER", False)
# --- End of single sign-on ------------------------------------------------------------------

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
# Where collectstatic writes and WhiteNoise serves from.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "static_build")
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
# A mail server that stops answering holds a worker this long, never a web request.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))
# Deliveries (mail.services): tries before an email is failed and shown to organisers, the
# backoff between them (doubling from MAIL_RETRY_SECONDS up to MAIL_RETRY_MAX_SECONDS),
# messages per SMTP connection in a digest run, when a waiting email counts as stranded, and
# how long sent ones are kept.
MAIL_MAX_ATTEMPTS = int(env("MAIL_MAX_ATTEMPTS", "8"))
MAIL_RETRY_SECONDS = float(env("MAIL_RETRY_SECONDS", "60"))
MAIL_RETRY_MAX_SECONDS = float(env("MAIL_RETRY_MAX_SECONDS", "3600"))
MAIL_BATCH_SIZE = int(env("MAIL_BATCH_SIZE", "50"))
MAIL_STALE_MINUTES = int(env("MAIL_STALE_MINUTES", "10"))
MAIL_KEEP_DAYS = int(env("MAIL_KEEP_DAYS", "90"))

# --- Background tasks (django-tasks; Wagtail uses the same) --------------------------------
# A persistent queue in the database (django-tasks-db): tasks are rows written in the same
# transaction as the change that causes them. `manage.py run_worker` runs them,
# `manage.py run_scheduler` queues the jobs below (README, "Background work").
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Seconds an idle worker waits before looking again; how often it says it is alive; after how
# long without a word its running task is given to another worker; how many dead workers one
# task may take with it before it is failed; days finished tasks and schedule runs are kept.
TASKS_WORKER_INTERVAL = float(env("TASKS_WORKER_INTERVAL", "0.5"))
WORKER_HEARTBEAT_SECONDS = float(env("WORKER_HEARTBEAT_SECONDS", "5"))
WORKER_DEAD_AFTER_SECONDS = float(env("WORKER_DEAD_AFTER_SECONDS", "30"))
TASK_MAX_WORKER_LOSSES = int(env("TASK_MAX_WORKER_LOSSES", "3"))
TASKS_KEEP_DAYS = int(env("TASKS_KEEP_DAYS", "14"))
# Workers' own commits on PostgreSQL wait for the disk only when on (jobs run_worker explains).
TASKS_WORKER_SYNCHRONOUS_COMMIT = env_bool("TASKS_WORKER_SYNCHRONOUS_COMMIT", False)
# The scheduler's jobs (jobs.scheduler): cron expressions in TIME_ZONE; an empty one is off.
PIPELINE_SCHEDULE = {
    "digest-daily": {
        "cron": env("SCHEDULE_DIGEST_DAILY", "0 7 * * *"),
        "task": "projects.notifications.send_digests_task",
        "args": ["daily"],
    },
    "digest-weekly": {
        "cron": env("SCHEDULE_DIGEST_WEEKLY", "0 7 * * 1"),
        "task": "projects.notifications.send_digests_task",
        "args": ["weekly"],
    },
    "dormancy-nudges": {
        "cron": env("SCHEDULE_DORMANCY_NUDGES", "30 6 * * *"),
        "task": "projects.notifications.nudge_dormant_owners_task",
    },
    "lapse-conditional-pledges": {
        "cron": env("SCHEDULE_LAPSE_CONDITIONAL_PLEDGES", "5 * * * *"),
        "task": "projects.tasks.lapse_overdue_conditions_task",
    },
    "report-nudges": {
        "cron": env("SCHEDULE_REPORT_NUDGES", "45 6 * * *"),
        "task": "delivery.notifications.nudge_overdue_reports_task",
    },
    "publish-scheduled": {
        "cron": env("SCHEDULE_PUBLISH_SCHEDULED", "* * * * *"),
        "task": "jobs.tasks.run_command",
        "args": ["publish_scheduled"],
    },
    "clear-sessions": {
        "cron": env("SCHEDULE_CLEAR_SESSIONS", "15 3 * * *"),
        "task": "jobs.tasks.run_command",
        "args": ["clearsessions"],
    },
    "prune-idempotency-keys": {
        "cron": env("SCHEDULE_PRUNE_IDEMPOTENCY_KEYS", "0 * * * *"),
        "task": "jobs.tasks.run_command",
        "args": ["prune_idempotency_keys"],
    },
    "prune-tasks": {
        "cron": env("SCHEDULE_PRUNE_TASKS", "30 3 * * *"),
        "task": "jobs.tasks.prune_finished",
    },
    "prune-deliveries": {
        "cron": env("SCHEDULE_PRUNE_DELIVERIES", "45 3 * * *"),
        "task": "mail.tasks.prune_deliveries",
    },
    "requeue-stale-mail": {
        "cron": env("SCHEDULE_REQUEUE_STALE_MAIL", "*/5 * * * *"),
        "task": "mail.tasks.requeue_stale_deliveries",
    },
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
    "DEFAULT_SCHEMA_CLASS": "core.openapi.PipelineAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StableCursorPagination",
    # orjson: encoding a page of 50 rows took a fifth of a listing's time with the json module.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    # DRF's throttles, keyed on the client address every other limit uses (core.security).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.security.AnonRateThrottle",
        "core.security.UserRateThrottle",
        "core.security.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "120/min"),
        "user": env("API_THROTTLE_USER", "600/min"),
        "token": env("API_THROTTLE_TOKEN", "10/hour"),
    },
    # The same count, for any stock DRF throttle; Pipeline's own ask core.security.client_ip.
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pipeline API",
    "DESCRIPTION": (
        "Open data and actions for shared council digital projects. Reading published data "
        "needs no sign-in. To act, send a personal token as `Authorization: Bearer <token>` "
        "(create one on your profile page or with `POST /api/v1/auth/token/`). Money is in "
        "integer pence with a currency, `{amount_pence, currency}`, everywhere; staff time is in "
        "exact days (whole or half) as decimal strings. Every error has the same shape: "
        "`status`, `code`, `message` and `errors` by field. Writes take an optional "
        "`Idempotency-Key` header that makes them safe to retry. `GET /api/v1/` links to "
        "everything."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "PREPROCESSING_HOOKS": ["core.openapi.public_api_only"],
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
        "ApplicationStateEnum": "funding.models.ApplicationState",
        "AssessmentStatusEnum": "funding.selectors.assessment.ASSESSMENT_STATUSES",
        "CallStatusEnum": "funding.api.calls.serializers.STATUSES",
        "PartnerStateEnum": "funding.models.PartnerState",
        "BidPhaseEnum": "funding.services.applications.BID_PHASES",
    },
}
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 60

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The language chosen at /i18n/setlang/: no script reads it, and no other site needs to send it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# SAMEORIGIN (not DENY) so Wagtail's preview can frame our own pages; CSP frame-ancestors
# says the same for browsers that read it (production refuses all framing, in both).
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

# Form fields and JSON bodies larger than this are refused (400/413) before they are parsed;
# the longest text Pipeline takes is a 20,000-character description. Uploads are not counted.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DJANGO_MAX_BODY_BYTES", str(1024 * 1024)))
# Writes each person (or address, signed out) may make per window, in the shared cache
# (core.security). Sign-up and sign-in limits are allauth's ACCOUNT_RATE_LIMITS above.
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
        "django_tasks_db": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # One JSON object per event (core.security): sign-in failures, refusals, tokens,
        # membership decisions, rate limits. Send it to your log store as it is.
        "pipeline.security": {"level": env("SECURITY_LOG_LEVEL", "INFO")},
    },
}

# --- Uploaded images and documents ---------------------------------------------------------
# One machine (the demo): a folder beside the project. A cluster: object storage that every app
# server shares, so an image uploaded through one server is read through any other.
#   MEDIA_STORAGE=s3      S3 or anything that speaks it (MinIO, Ceph, a local test server):
#                         S3_BUCKET, S3_ENDPOINT_URL (empty for AWS), S3_REGION,
#                         S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_CUSTOM_DOMAIN (a CDN),
#                         S3_PREFIX (folder in the bucket, default "media").
#   MEDIA_STORAGE=custom  any django-storages backend, e.g. Azure Blob:
#                         MEDIA_STORAGE_BACKEND=storages.backends.azure_storage.AzureStorage
#                         MEDIA_STORAGE_OPTIONS='{"account_name": …, "azure_container": …}'
#                         (install that backend's extra first: pip install django-storages[azure])
MEDIA_STORAGE = env("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    _s3_endpoint = env("S3_ENDPOINT_URL") or None
    _s3_domain = env("S3_CUSTOM_DOMAIN") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": _s3_endpoint,
            "region_name": env("S3_REGION") or None,
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
            "custom_domain": _s3_domain,
            "location": env("S3_PREFIX", "media"),
            # Private by default: links are signed and expire; a CDN domain serves them as is.
            "querystring_auth": _s3_domain is None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    # Pages show images straight from the store, so the policy must let the browser load them.
    _media_origin = (
        f"https://{_s3_domain}"
        if _s3_domain
        else _s3_endpoint or f"https://{env('S3_BUCKET')}.s3.amazonaws.com"
    )
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_media_origin.rstrip("/"))
elif MEDIA_STORAGE == "custom":
    STORAGES["default"] = {
        "BACKEND": env("MEDIA_STORAGE_BACKEND"),
        "OPTIONS": json.loads(env("MEDIA_STORAGE_OPTIONS", "{}")),
    }
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].extend(env_list("MEDIA_ORIGINS"))
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem, s3 or custom.")
