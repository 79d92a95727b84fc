"""Production: behind a TLS-terminating proxy, PostgreSQL, shared cache, WhiteNoise."""

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY, env, env_bool

DEBUG = False
# Passkeys only over https, whatever another settings module said (base has it off too).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe /healthz/ready (and /healthz, the same) over plain HTTP and count a
# redirect as a failure; so do supervisors probing /healthz/live.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = True
# base allows same-origin framing for Wagtail's preview, but Wagtail's preview views set
# X-Frame-Options: SAMEORIGIN on their own responses (xframe_options_sameorigin_override) and the
# admin, under /cms-admin/, has no Content Security Policy, so every other page can refuse
# framing outright, as check --deploy asks (security.W019): X-Frame-Options and the policy's
# frame-ancestors say the same.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "frame-ancestors": ["'none'"]},
}
# Single sign-on: councils' providers over https only, whatever the environment says.
SSO_ALLOW_LOOPBACK_ISSUER = False
