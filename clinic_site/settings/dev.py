"""Local development: SQLite under var/, local-memory cache, mail written to var/mail/."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "mail").mkdir(exist_ok=True)


def _local_secret_key():
    # A per-checkout key kept out of git, so signed form tokens survive restarts
    # without any key ever being committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or _local_secret_key()

# Links in emails go to the server `make run` started: PORT=8001 make run.
if "SITE_URL" not in env.ENVIRON:
    SITE_URL = f"http://127.0.0.1:{env.int('PORT', default=8000)}"

if "EMAIL_URL" not in env.ENVIRON:
    MAILER_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Two-factor sign-in is required for the admin everywhere except where a
# developer switches it off here for local work.
ADMIN_REQUIRE_OTP = env.bool("DJANGO_ADMIN_REQUIRE_OTP", default=False)
