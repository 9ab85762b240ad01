"""Production. Every secret and service address must come from the environment:
a missing one stops start-up with a message naming it."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

_REQUIRED = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_ADMIN_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    # Where an urgent request goes when no one on call has acknowledged it.
    "CLINIC_ESCALATION_EMAIL",
]
_missing = [name for name in _REQUIRED if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Missing required environment variable(s): " + ", ".join(_missing)
    )

# Object storage half set up (a bucket without its region, one key without the
# other, endpoint or domain without a bucket) would put uploads somewhere no
# other node reads: refuse to start instead.
_media_set = [name for name in MEDIA_S3_SETTINGS if env.str(name, default="")]  # noqa: F405
if _media_set:
    _media_missing = [
        name
        for name in ("MEDIA_S3_BUCKET", "MEDIA_S3_REGION")
        if not env.str(name, default="")
    ]
    _keys = [
        name
        for name in ("MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY")
        if env.str(name, default="")
    ]
    if len(_keys) == 1:
        _media_missing += [
            name
            for name in ("MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY")
            if name not in _keys
        ]
    if _media_missing:
        raise ImproperlyConfigured(
            "Object storage for media is half configured (set: "
            + ", ".join(_media_set)
            + "); missing: "
            + ", ".join(_media_missing)
        )

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise to browser vendors that is slow to undo: opt in with
# DJANGO_SECURE_HSTS_PRELOAD=1 once every subdomain is HTTPS-only for good.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy warns (security.W021) when preload is off; off is the
    # deliberate default here, not an oversight.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Turning this off is only for serving plain HTTP on loopback (benchmarks,
# Lighthouse); browsers would refuse Secure cookies there.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SESSION_COOKIE_SECURE else "csrftoken"

ADMIN_REQUIRE_OTP = True

# Content edits reach every web process within a second (see core/caching.py).
PAGE_CACHE_LOCAL_SECONDS = env.float("DJANGO_PAGE_CACHE_LOCAL_SECONDS", default=1.0)
