"""Test-only URL configuration: the site's routes plus one that always fails.

It is never part of production routing; tests switch ROOT_URLCONF to it.
"""

from django.urls import path
from django.views.decorators.debug import sensitive_post_parameters

from clinic_site.urls import handler400, handler500
from clinic_site.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]


@sensitive_post_parameters()
def fail(request):
    # The message carries what was posted, the way a careless exception might.
    raise RuntimeError(f"could not handle {dict(request.POST)!r}")


urlpatterns = [path("__tests__/fail/", fail, name="test-fail"), *site_urlpatterns]
