"""Test-only URL configuration: the site's routes plus ones that end in the
400, 403 and 500 pages, so a browser can render each error page for axe.

It is never part of production routing; tests switch ROOT_URLCONF to it.
"""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from tests.core.error_urls import handler400, handler500
from tests.core.error_urls import urlpatterns as with_failing_route

__all__ = ["handler400", "handler500", "urlpatterns"]


def suspicious(request):
    raise SuspiciousOperation("a malformed request")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("__tests__/bad-request/", suspicious),
    path("__tests__/forbidden/", forbidden),
    *with_failing_route,
]
