"""Whole-page caching for public content pages.

Pages are stored under a key that includes a site-wide content version. Saving
any content (article, reference, clinician, location, site settings) bumps the
version, so every cached page is replaced at once: no stale page survives an edit.
"""

import hashlib
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
            if response.status_code != 200:
                return response
            stored = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": quote_etag(hashlib.sha256(response.content).hexdigest()[:32]),
                "last_modified": http_date(),
            }
            cache.set(key, stored, PAGE_TTL)
        if request.headers.get("If-None-Match") == stored["etag"]:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(
                stored["content"], content_type=stored["content_type"]
            )
        response["ETag"] = stored["etag"]
        response["Last-Modified"] = stored["last_modified"]
        patch_response_headers(response, PUBLIC_MAX_AGE)
        patch_cache_control(response, public=True)
        return response

    return wrapper
