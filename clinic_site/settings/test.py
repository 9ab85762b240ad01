"""Fast, sealed settings for the test suite. DATABASE_URL and REDIS_URL still apply."""

from .base import *  # noqa: F403
from .base import BASE_DIR

# A fixed key keeps signed test data stable; it signs nothing real.
SECRET_KEY = "tests-only-key-not-used-anywhere-else-0123456789"  # nosec B105 # test-only
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# MD5 is far quicker than PBKDF2, and no real password lives in a test database.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)

# The queue stays in place; only the final delivery goes to memory.
EMAIL_BACKEND = "core.emails.QueueBackend"
MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MAILER_USE_FILE_LOCK = False

ADMIN_REQUIRE_OTP = True
