#!/usr/bin/env bash
# `check --deploy` under the production settings, with throwaway values for the
# variables production requires (none of them is real or reused).
set -euo pipefail
cd "$(dirname "$0")/.."
DJANGO_SETTINGS_MODULE=clinic_site.settings.prod \
DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
DJANGO_ALLOWED_HOSTS=clinic.example \
DJANGO_ADMIN_URL=staff-$RANDOM/ \
DATABASE_URL=sqlite:////tmp/deploy-check.sqlite3 \
REDIS_URL=redis://127.0.0.1:6379/15 \
EMAIL_URL=smtp://mail.example:587 \
DEFAULT_FROM_EMAIL=clinic@clinic.example \
SITE_URL=https://clinic.example \
CLINIC_ESCALATION_EMAIL=escalation@clinic.example \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
