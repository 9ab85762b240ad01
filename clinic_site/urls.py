from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from core.views import healthz

from .sitemaps import SITEMAPS

if settings.ADMIN_REQUIRE_OTP:
    # Every admin page then needs a password *and* a TOTP code from a
    # confirmed device. Only dev settings may switch this off.
    from .admin_auth import StaffOTPAdminSite

    admin.site.__class__ = StaffOTPAdminSite

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),  # normally answered by middleware
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("locations/", include("locations.urls")),
    path("consultation/", include("consultations.urls")),
    path("", include("pages.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
