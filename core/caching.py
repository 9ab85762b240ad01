"""Whole-page caching for public content pages.

Pages are stored under a key that includes a site-wide content version. Saving
any content model bumps the version, so every cached page is replaced at once:
no stale page survives an edit. Each app names its own content models with
``watch_content`` in its ``AppConfig.ready()`` (articles, locations, ...), so
this module needs to know none of them.

Two halves:
- ``cached_page`` marks a view's anonymous 200 responses as shareable (public
  Cache-Control, ETag, Last-Modified).
- ``PageCacheMiddleware`` stores those responses, headers included, and answers
  the next anonymous GET for the same URL before sessions, CSRF, auth and the
  view run at all. That keeps a cached page close to the cost of a bare
  Django "hello" view.

A view may shorten a page's lifetime by setting ``response.cache_ttl``
(seconds), for a page that goes stale on its own ("open now" turns false at
closing time). A view that sets ``request.private_page`` (it holds a form) is
never stored or shared.

With ``PAGE_CACHE_LOCAL_SECONDS`` > 0 (production), each process also keeps
the pages it served and re-reads the content version from the shared cache at
most that often, saving the Redis round trip on busy pages. An edit then
reaches other processes within that many seconds; the process that saved it,
and signed-in editors (who bypass the cache), see it at once.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_response_headers,
)
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from .i18n import language_from_path

VERSION_KEY = "content-version"
PAGE_TTL = 60 * 60
# What a shared cache (CDN, nginx) may keep a page for before asking again.
PUBLIC_MAX_AGE = 300
# A visitor holding any of these may see something personal (a draft preview,
# a flash message), so their requests always reach the view.
PERSONAL_COOKIES = ("sessionid", "__Host-sessionid", "messages")
# Headers about one exchange rather than the page; recomputed on every reply.
_PER_RESPONSE_HEADERS = {"expires", "date", "set-cookie"}
LOCAL_MAX_PAGES = 500


class _LocalPages:
    """This process's view of the content version, and the pages it served."""

    version = None
    checked_at = 0.0
    pages: dict = {}
    bump_pending = False

    @classmethod
    def reset(cls, version=None):
        cls.version = version
        cls.checked_at = time.monotonic()
        cls.pages = {}

    @classmethod
    def remember(cls, key, stored):
        if stored is None or not settings.PAGE_CACHE_LOCAL_SECONDS:
            return
        if len(cls.pages) >= LOCAL_MAX_PAGES:
            cls.pages = {}
        cls.pages[key] = stored


def _new_version() -> int:
    # Never reuse a number after the cache is flushed: a process may still hold
    # pages stored under an old one.
    return time.time_ns() // 1000


def content_version() -> int | None:
    """The current content version; None when the cache cannot be reached."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version() -> None:
    # A fresh number rather than incr(): one write that lands or not, and a
    # number never used before.
    version = _new_version()
    cache.set(VERSION_KEY, version, None)
    # Read back: the cache backend swallows an outage, and Redis may come back
    # holding pages from before this edit. Then try again on this process's
    # next request.
    _LocalPages.bump_pending = cache.get(VERSION_KEY) != version
    _LocalPages.reset()


def _cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "authorization" not in request.headers
    )


def _page_key(request, version) -> str:
    # Pages are the same whatever Host or port the request named (every
    # absolute URL on them comes from SITE_URL), so the path is the key: one
    # copy per page, not one per Host variant. get_host() still runs first so
    # that a host outside ALLOWED_HOSTS gets its 400, never a cached page.
    request.get_host()
    # The language comes from the rule the locale middleware follows
    # (core.i18n), so an English page can never answer at a Spanish URL.
    # Every anonymous GET is looked up before routing, including paths that
    # carry a signed link's token (/consultation/withdraw/<token>/) or junk of
    # any length: the path goes in as a digest, so a key is always short and
    # no token reaches the cache server's command stream or slow log.
    path = hashlib.sha256(request.path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{version}:{language_from_path(request.path_info)}:{path[:40]}"


def cached_page(view):
    """Let anonymous GETs of this view be shared-cached and served from the cache.

    Only for pages that look the same to every visitor: NEVER for a page with a
    form, a CSRF token or anything personal.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not _cacheable(request):
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        ttl = min(PAGE_TTL, int(getattr(response, "cache_ttl", PAGE_TTL)))
        if (
            response.status_code != 200
            or getattr(request, "private_page", False)
            or ttl < 1
        ):
            return response
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["Last-Modified"] = http_date()
        patch_response_headers(response, min(PUBLIC_MAX_AGE, ttl))
        patch_cache_control(response, public=True)
        response.page_cacheable = True
        response.page_ttl = ttl
        return response

    return wrapper


def _lookup(request):
    """(key, stored page or None), with one round trip to the cache at most."""
    local = _LocalPages
    window = settings.PAGE_CACHE_LOCAL_SECONDS
    if (
        window
        and local.version is not None
        and time.monotonic() - local.checked_at < window
    ):
        key = _page_key(request, local.version)
        stored = local.pages.get(key)
        if stored is not None and stored["expires"] <= time.time():
            del local.pages[key]
            stored = None
        if stored is None:
            stored = cache.get(key)
            local.remember(key, stored)
        return key, stored
    # Ask for the version and, guessing it is unchanged, the page under it.
    keys = [VERSION_KEY]
    if local.version is not None:
        keys.append(_page_key(request, local.version))
    found = cache.get_many(keys)
    version = found.get(VERSION_KEY) or content_version()
    if version is None:
        # The cache is unreachable: render the page, keep it nowhere.
        local.reset()
        return None, None
    key = _page_key(request, version)
    if version == local.version:
        local.checked_at = time.monotonic()
        stored = found.get(key)
    else:
        local.reset(version)
        stored = cache.get(key)
    local.remember(key, stored)
    return key, stored


def _replay(request, stored) -> HttpResponse:
    response = HttpResponse(stored["content"], headers=stored["headers"])
    now = time.time()
    # Never promise a shared cache more than the page has left to live.
    max_age = max(0, min(PUBLIC_MAX_AGE, int(stored["expires"] - now)))
    patch_cache_control(response, max_age=max_age)
    response["Expires"] = http_date(now + max_age)
    if "if-none-match" in request.headers or "if-modified-since" in request.headers:
        return get_conditional_response(
            request,
            etag=stored["headers"]["ETag"],
            last_modified=stored["last_modified"],
            response=response,
        )
    return response


class PageCacheMiddleware:
    """Serve and store pages marked by ``cached_page``.

    Goes right after the security middlewares (whose headers are added to every
    reply) and before sessions; the headers that later middlewares add (CSP,
    X-Frame-Options, ...) are stored with the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _LocalPages.bump_pending:
            bump_content_version()
        if not _cacheable(request):
            return self.get_response(request)
        key, stored = _lookup(request)
        if stored is not None:
            return _replay(request, stored)
        response = self.get_response(request)
        if not getattr(response, "page_cacheable", False) or key is None:
            # key is None: the cache is unreachable, so the page is served
            # as rendered and kept nowhere.
            return response
        if response.cookies or getattr(request, "private_page", False):
            # A page that sets a cookie (a CSRF token) or is private was marked
            # by mistake: it must not reach any shared cache.
            response.headers.pop("Expires", None)
            add_never_cache_headers(response)
            return response
        stored = {
            "content": response.content,
            "headers": {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in _PER_RESPONSE_HEADERS
            },
            "last_modified": parse_http_date_safe(response["Last-Modified"]),
            "expires": time.time() + response.page_ttl,
        }
        cache.set(key, stored, response.page_ttl)
        _LocalPages.remember(key, stored)
        return _replay(request, stored)


def _purge_on_change(sender, **kwargs):
    bump_content_version()
    # Again at commit: a visitor's request between the save and the commit
    # still reads the old rows, and would store them under the new version.
    transaction.on_commit(bump_content_version)


def watch_content(*models) -> None:
    """Replace every cached page whenever a row of one of ``models`` changes."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                _purge_on_change,
                sender=model,
                dispatch_uid=f"page-cache:{model._meta.label}:{signal is post_save}",
            )
