"""Run code under the production settings in a fresh interpreter.

The test process has the test settings loaded; production settings are read
from the environment once, at import, so the only honest way to see what they
build is a new process with a production environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "clinic.example",
    "DJANGO_ADMIN_URL": "staff-x/",
    "DATABASE_URL": "sqlite:////tmp/prod-settings-test.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "EMAIL_URL": "smtp://mail.example:587",
    "DEFAULT_FROM_EMAIL": "clinic@clinic.example",
    "SITE_URL": "https://clinic.example",
    "CLINIC_ESCALATION_EMAIL": "escalation@clinic.example",
}
# Anything in the test process's environment that would leak into the child.
_SCRUB = {*PROD_ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_READ_DOT_ENV_FILE"}


def run(code, env=None, settings_module="clinic_site.settings.prod"):
    """Run ``code`` after django.setup(); ``env`` replaces PROD_ENV."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUB and not k.startswith("MEDIA_S3_")
    }
    child_env = {**clean, **(PROD_ENV if env is None else env)}
    if settings_module:
        child_env["DJANGO_SETTINGS_MODULE"] = settings_module
        code = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def prod_settings(*names, env=None):
    """The values the production settings build for ``names``, as JSON types."""
    result = run(
        "import json; from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
