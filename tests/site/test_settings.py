import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "clinic.example",
    "DJANGO_ADMIN_URL": "staff-x/",
    "DATABASE_URL": "sqlite:////tmp/prod-settings-test.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "EMAIL_URL": "smtp://mail.example:587",
    "DEFAULT_FROM_EMAIL": "clinic@clinic.example",
    "SITE_URL": "https://clinic.example",
}


def _import_prod(env):
    clean = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.EMAIL_USE_TLS, settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prod_settings_start_with_every_variable_set():
    result = _import_prod(PROD_ENV)
    assert result.returncode == 0, result.stderr
    # Port 587 means STARTTLS; DEBUG is off whatever the environment says.
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("missing", sorted(PROD_ENV))
def test_prod_settings_refuse_to_start_and_name_the_missing_variable(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _import_prod(env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_wsgi_defaults_to_production_settings():
    source = (ROOT / "clinic_site" / "wsgi.py").read_text()
    assert '"clinic_site.settings.prod"' in source


@pytest.mark.django_db
def test_no_user_accounts_ship_with_migrations():
    assert get_user_model().objects.count() == 0
