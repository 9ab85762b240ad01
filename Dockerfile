# syntax=docker/dockerfile:1
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=clinic_site.settings.prod

WORKDIR /app

RUN groupadd --system --gid 10001 clinic \
    && useradd --system --uid 10001 --gid clinic --home-dir /app --no-create-home clinic

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code belongs to root, so the runtime user cannot change it; .dockerignore
# keeps .env, var/, .git and the virtualenvs out.
COPY . .

# collectstatic only needs the settings module to import; these values are
# build-time placeholders and are never used at run time.
RUN DJANGO_SECRET_KEY=build-only-placeholder \
    DJANGO_ALLOWED_HOSTS=localhost \
    DJANGO_ADMIN_URL=build/ \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=consolemail:// \
    DEFAULT_FROM_EMAIL=build@localhost \
    SITE_URL=http://localhost \
    CLINIC_ESCALATION_EMAIL=build@localhost \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/var/media /app/var/tmp \
    && chown 10001:10001 /app/var/media /app/var/tmp

# Only uploads and temporary files are writable at run time.
ENV TMPDIR=/app/var/tmp

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# The web server. The mail worker is the same image with another command:
#   docker run IMAGE python manage.py mailworker
CMD ["sh", "-c", "exec gunicorn clinic_site.wsgi:application --config gunicorn.conf.py"]
