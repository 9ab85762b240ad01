import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .i18n import language_from_path
from .views import healthz


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    Load balancers and the container HEALTHCHECK call it by IP over plain HTTP.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


class RefuseNulMiddleware:
    """Answer 400 to an admin request whose query string or form has a NUL.

    PostgreSQL refuses NUL in text, and the admin passes list-filter values
    such as ``?language__exact=a%00b`` straight to the database, which then
    fails with a 500 (found by bench/fuzz.py). The public forms are left to
    their own validation, which shows the patient a readable error instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_admin(request):
            sources = [request.GET]
            if request.method == "POST":
                sources.append(request.POST)
            for data in sources:
                for key, values in data.lists():
                    if "\x00" in key or any("\x00" in value for value in values):
                        raise SuspiciousOperation("NUL character in admin request")
        return self.get_response(request)


def _is_admin(request):
    return request.path.startswith("/" + settings.ADMIN_URL)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself, and no-store on private pages.

    Views that show personal data or carry a CSRF token set
    ``request.private_page = True``; the admin always counts as private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Pages may not be read by other origins; images and other static files
        # stay embeddable, so a webmail client can still show them.
        if not request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            response.headers.setdefault(
                "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
            )
        if _is_admin(request) or getattr(request, "private_page", False):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        elif _signed_in(request):
            # A signed-in staff member's page may hold a draft, their name or
            # a flash message: only their own browser may keep it.
            patch_cache_control(response, private=True)
        return response


def _signed_in(request) -> bool:
    # Only a request with a session cookie can be signed in; checking first
    # keeps anonymous page views from loading a session at all.
    return settings.SESSION_COOKIE_NAME in request.COOKIES and getattr(
        getattr(request, "user", None), "is_authenticated", False
    )


class IdleSessionMiddleware:
    """End a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request,
    and in any case SESSION_COOKIE_AGE seconds after it started.

    The cookie's own expiry is renewed whenever the session is saved (every
    request, because of last_seen), so the absolute cap is enforced here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only look at the session when the browser sent one: touching it on
        # anonymous requests would add "Vary: Cookie" to every public page.
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen", now)
            started = request.session.get("started", now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            else:
                request.session["last_seen"] = now
                request.session.setdefault("started", now)
        return self.get_response(request)


class PathLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language taken from the URL alone.

    With ``i18n_patterns(prefix_default_language=False)`` Django already
    ignores the browser's Accept-Language for every unprefixed page, yet still
    sends ``Vary: Accept-Language`` on them, which makes a shared cache keep a
    copy per browser language of identical pages. Here the one rule in
    core.i18n decides (the page cache keys on it too), and no Vary is added.
    """

    def process_request(self, request):
        translation.activate(language_from_path(request.path_info))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
