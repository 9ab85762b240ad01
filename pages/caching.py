"""Whole-page caching for public content pages.

Pages are stored under a key that includes a site-wide content version. Saving
any content (article, reference, clinician, location, site settings) bumps the
version, so every cached page is replaced at once: no stale page survives an edit.

A view may shorten the lifetime by setting ``response.cache_ttl`` (seconds), for
a page that goes stale on its own ("open now" turns false at closing time). A
view that sets ``request.private_page`` (it holds a form) is never stored.
"""

import hashlib
import time
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_response_headers
from django.utils.http import http_date, quote_etag

VERSION_KEY = "content-version"
PAGE_TTL = 60 * 60
# What a shared cache (CDN, nginx) may keep a page for before asking again.
PUBLIC_MAX_AGE = 300


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _cacheable(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.COOKIES.get("sessionid")
        and not request.COOKIES.get("__Host-sessionid")
        and not request.GET
    )


def cached_page(view):
    """Serve anonymous GETs of a content page from the cache, with validators."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = f"page:{content_version()}:{request.path}"
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            ttl = min(PAGE_TTL, int(getattr(response, "cache_ttl", PAGE_TTL)))
            if (
                response.status_code != 200
                or getattr(request, "private_page", False)
                or ttl < 1
            ):
                return response
            stored = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": quote_etag(hashlib.sha256(response.content).hexdigest()[:32]),
                "last_modified": http_date(),
                "expires": time.time() + ttl,
            }
            cache.set(key, stored, ttl)
        if request.headers.get("If-None-Match") == stored["etag"]:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(
                stored["content"], content_type=stored["content_type"]
            )
        response["ETag"] = stored["etag"]
        response["Last-Modified"] = stored["last_modified"]
        remaining = int(stored.get("expires", time.time() + PAGE_TTL) - time.time())
        patch_response_headers(response, max(0, min(PUBLIC_MAX_AGE, remaining)))
        patch_cache_control(response, public=True)
        return response

    return wrapper
