"""Views every app shares: the health check and the error pages."""

import secrets
import sys

from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection
from django.db import Error as DatabaseFailure
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from .models import SiteSettings

HEALTH_KEY = "healthz"


def _error_page(request, template_name, status, **context):
    try:
        request.get_host()
    except DisallowedHost:
        # The page template asks the request for its host (canonical link),
        # which would raise again and end in gunicorn's bare 500. Render it
        # without the request; nothing from the bad header reaches the page.
        context["site_settings"] = SiteSettings.load()
        return HttpResponse(render_to_string(template_name, context), status=status)
    return render(request, template_name, context, status=status)


def _caused_by_database(exception):
    while exception is not None:
        if isinstance(exception, DatabaseFailure):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def bad_request(request, exception=None):
    if isinstance(exception, SessionInterrupted) and _caused_by_database(exception):
        # The database went away after the view had finished (its session
        # could not be saved): a request may have been stored, or not.
        return _error_page(request, "503.html", 503, maybe_saved=True)
    return _error_page(request, "400.html", 400)


def server_error(request, *args, **kwargs):
    # Django calls this while handling the exception. A database that is away
    # can surface outside any view (a session load in middleware); the patient
    # then still gets the "call us" page, never a generic error.
    if isinstance(sys.exc_info()[1], DatabaseFailure):
        return _error_page(request, "503.html", 503)
    return _error_page(request, "500.html", 500)


def database_unavailable(request, *args, maybe_saved=False, **kwargs):
    """The "call us" page. ``maybe_saved``: the patient may already have sent a
    request, so the page must not tell them that nothing was sent."""
    return _error_page(request, "503.html", 503, maybe_saved=maybe_saved)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def _cache_reachable() -> bool:
    # The cache backend swallows Redis errors (IGNORE_EXCEPTIONS), so ask it
    # to keep a fresh value and read it back.
    token = secrets.token_hex(8)
    cache.set(HEALTH_KEY, token, 30)
    return cache.get(HEALTH_KEY) == token


@never_cache
def healthz(request):
    """Each part by name. 503 only when the database is away: without the cache
    (Redis) pages still render and requests are still stored, so a load
    balancer should keep sending traffic to a "degraded" process."""
    parts = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        parts["database"] = "unreachable"
    if not _cache_reachable():
        parts["cache"] = "unreachable"
    if parts["database"] != "ok":
        return JsonResponse({"status": "error", **parts}, status=503)
    status = "ok" if parts["cache"] == "ok" else "degraded"
    return JsonResponse({"status": status, **parts})
