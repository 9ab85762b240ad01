"""Settings shared by every environment. Everything that varies is read from the environment."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Shown on error pages when the site-settings record cannot be read (database down).
CLINIC_FALLBACK_NAME = env("CLINIC_FALLBACK_NAME", default="Our clinic")
CLINIC_FALLBACK_PHONE = env("CLINIC_FALLBACK_PHONE", default="")
ADMIN_URL = env("DJANGO_ADMIN_URL", default="staff-admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "mailer",
    "simple_history",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "core",
    "pages",
    "locations",
    "consultations",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RefuseNulMiddleware",
    # Answers anonymous views of cached pages before anything below runs.
    "core.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language, from its URL (/es/... is Spanish): core/i18n.py.
    "core.middleware.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # createstaff's one-time password is changed before anything else.
    "locations.middleware.InitialPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"

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
                "csp.context_processors.nonce",
                "core.context_processors.site_settings",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"] and not env.bool(
    "DJANGO_PG_JIT", default=False
):
    # PostgreSQL's JIT compiler spends seconds compiling the triage list's and
    # the promise report's plans over 100,000 requests, to save milliseconds
    # (bench/triage.py; docs/performance.md). DJANGO_PG_JIT=1 turns it back on.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clinic",
            "OPTIONS": {
                # Redis is a cache: when it is unreachable every cache call
                # answers "not there" (and is logged), so pages render
                # uncached and the form still stores requests.
                "IGNORE_EXCEPTIONS": True,
                # A Redis that hangs must not hold a worker: give up quickly.
                "SOCKET_CONNECT_TIMEOUT": env.float(
                    "REDIS_CONNECT_TIMEOUT", default=0.25
                ),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "clinic",
        }
    }
# django-redis logs each call it let fail (one line each, core/logging.py).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "clinic.cache"

# Seconds a process may serve its own copy of a cached page before asking the
# shared cache whether content changed (see core/caching.py). 0 = ask every time.
PAGE_CACHE_LOCAL_SECONDS = env.float("DJANGO_PAGE_CACHE_LOCAL_SECONDS", default=0)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English pages sit at the root, Spanish ones under /es/ (clinic_site/urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico, /apple-touch-icon.png).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
# Uploaded media (article, location and clinician photos and their renditions)
# lives on S3-compatible object storage when MEDIA_S3_BUCKET is set, which more
# than one web node needs; otherwise on the local disk, as for `make run`.
# Everything uploaded today is public site content, so it is served without
# signed URLs and cached for a year: a replaced image gets a new file name
# (file_overwrite off), so a stored name never changes content. Patient-adjacent
# media, if it ever exists, must use a separate private storage (docs/deploy.md).
MEDIA_S3_SETTINGS = [
    "MEDIA_S3_BUCKET",
    "MEDIA_S3_ENDPOINT_URL",
    "MEDIA_S3_REGION",
    "MEDIA_S3_ACCESS_KEY_ID",
    "MEDIA_S3_SECRET_ACCESS_KEY",
    "MEDIA_S3_CUSTOM_DOMAIN",
]
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_s3_storage():
    """The STORAGES["default"] entry for object storage, and the origin its URLs use."""
    bucket = env.str("MEDIA_S3_BUCKET", default="")
    endpoint = env.str("MEDIA_S3_ENDPOINT_URL", default="").rstrip("/")
    region = env.str("MEDIA_S3_REGION", default="")
    # A host (and optional path) that serves the bucket, e.g. the site itself
    # proxying /media/ to it; "http://" in front only for plain-HTTP local use.
    domain = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="").strip("/")
    protocol, _sep, bare = domain.rpartition("://")
    protocol, domain = (protocol or "https") + ":", bare
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        # Empty keys fall back to boto3's own chain (an instance or task role).
        "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
        "custom_domain": domain or None,
        "url_protocol": protocol,
        "querystring_auth": False,
        "file_overwrite": False,
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        # A self-hosted endpoint (MinIO, a test server) has no bucket subdomains.
        "addressing_style": "path" if endpoint else "auto",
    }
    if domain:
        origin = f"{protocol}//{domain.split('/')[0]}"
    elif endpoint:
        scheme, _sep, rest = endpoint.partition("://")
        origin = f"{scheme}://{rest.split('/')[0]}"
    else:
        origin = f"https://{bucket}.s3.{region or 'us-east-1'}.amazonaws.com"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origin


if MEDIA_S3_BUCKET:
    _media_storage, MEDIA_ORIGIN = media_s3_storage()
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGIN = ""
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads larger than this are refused before Pillow ever sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail: every message goes into the database queue (django-mailer) in the same
# transaction as the record it is about; a separate worker delivers it.
EMAIL_BACKEND = "core.emails.QueueBackend"
_email = env.email_url("EMAIL_URL", default="consolemail://")
# The worker sends through a journal that remembers each Message-ID it has
# delivered (in Redis), so a worker killed between the SMTP server's "250 OK"
# and its database commit does not send that email again on restart.
MAILER_EMAIL_BACKEND = "core.delivery.JournaledBackend"
CLINIC_MAIL_TRANSPORT = _email.pop("EMAIL_BACKEND")
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False) or EMAIL_PORT == 587
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Lanternfield Clinics <no-reply@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILER_EMPTY_QUEUE_SLEEP = env.int("MAILER_EMPTY_QUEUE_SLEEP", default=5)
MAILER_ERROR_HANDLER = "core.delivery.defer_without_details"
# The mail log keeps what delivery tracking needs (Message-ID, result, time),
# never a copy of the whole email: a patient's acknowledgement is personal.
MAILER_EMAIL_LOG_MESSAGE_DATA = False
# No lock file: a worker killed with SIGKILL leaves it behind and every later
# worker then quits at once, so nothing is ever sent again (fault drill 4).
# Each message is still locked with SELECT ... FOR UPDATE NOWAIT while it is
# sent, so two workers never send the same row.
MAILER_USE_FILE_LOCK = False
# Deferred mail is retried with back-off: 1, 2, 4 … minutes, capped at an hour.
CLINIC_MAIL_RETRY_BASE_SECONDS = env.int("CLINIC_MAIL_RETRY_BASE_SECONDS", default=60)
CLINIC_MAIL_RETRY_MAX_SECONDS = 3600
# A message that fails this many times is given up (core.delivery.give_up):
# with the back-off above, 30 attempts span about a day.
MAILER_MAX_ATTEMPTS = env.int("MAILER_MAX_ATTEMPTS", default=30)
# Urgent requests: re-sent to the location's on-call list when nobody has
# acknowledged one after this many minutes, and sent to the clinic-wide
# escalation address(es) after as many minutes again (manage.py alert_urgent).
URGENT_ACK_MINUTES = env.int("URGENT_ACK_MINUTES", default=15)
URGENT_ESCALATION_MINUTES = env.int(
    "URGENT_ESCALATION_MINUTES", default=URGENT_ACK_MINUTES
)
CLINIC_ESCALATION_EMAIL = env.list("CLINIC_ESCALATION_EMAIL", default=[])

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DEFAULT_FORMAT = "E164"

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
# History is for reading: no admin page restores a past version (core/history.py).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Security defaults that hold everywhere; prod.py adds the HTTPS-only parts.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = 30 * 60
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Images on object storage come from its origin (nothing else does).
        "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# How many reverse proxies sit in front of gunicorn; only their X-Forwarded-For
# entries are trusted when working out a client's IP address.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# django-ratelimit: counters live in the default cache (Redis in production).
RATELIMIT_ENABLE = True
RATELIMIT_VIEW = "core.views.rate_limited"
RATELIMIT_USE_CACHE = "default"
# With the cache unreachable the limit lets posts through (a patient's request
# matters more than a spammer's); core/protection.py logs each one.
RATELIMIT_FAIL_OPEN = True
# The client's address as core.protection.client_ip sees it (trusted proxies
# only); django-ratelimit groups IPv6 addresses by /64 (RATELIMIT_IPV6_MASK).
RATELIMIT_IP_META_KEY = "core.protection.client_ip"
# Patient acknowledgement emails to one address in 24 hours, at most.
PATIENT_ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = env.int(
    "DJANGO_PATIENT_ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY", default=3
)
# Public form submissions allowed per client IP.
FORM_RATE_LIMIT = env("DJANGO_FORM_RATE_LIMIT", default="10/h")
# The version of the consent wording (and privacy notice) that forms show; each
# stored consent records it. Change it whenever that wording changes.
CONSENT_TEXT_VERSION = "2026-11"

# purge_personal_data: closed requests lose their personal fields this many
# days after closing; delivered-mail and login-attempt logs are kept 30 days.
PERSONAL_DATA_RETENTION_DAYS = env.int(
    "DJANGO_PERSONAL_DATA_RETENTION_DAYS", default=365
)
OPERATIONAL_LOG_RETENTION_DAYS = 30
# Open requests with no change and no logged call, and waitlist entries nobody
# told, for this many days are erased (entries deleted) by the same purge.
UNCLOSED_RECORD_RETENTION_DAYS = env.int(
    "DJANGO_UNCLOSED_RECORD_RETENTION_DAYS", default=730
)

# django-axes: 5 failures for one username from one address lock that pair for
# 15 minutes; 6 for one username from any addresses lock the username
# (clinic_site/admin_auth.py). Never the address alone: behind a proxy or in
# one office, that would lock every colleague out.
AXES_HANDLER = "clinic_site.admin_auth.StaffLockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_USERNAME_FAILURE_LIMIT = env.int("DJANGO_AXES_USERNAME_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as the rate limits: only trusted proxies' entries.
AXES_CLIENT_IP_CALLABLE = "core.protection.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "core.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # django-mailer logs recipient addresses at INFO; a patient's address is
        # personal data, so only warnings (which our handler keeps detail-free) pass.
        "mailer": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
