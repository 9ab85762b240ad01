from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from core.views import healthz

from .admin_auth import BrandedAdminSite, StaffOTPAdminSite
from .sitemaps import SITEMAPS

# Every admin page needs a password *and* a TOTP code from a confirmed
# device. Only dev settings may switch the code off.
admin.site.__class__ = (
    StaffOTPAdminSite if settings.ADMIN_REQUIRE_OTP else BrandedAdminSite
)

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),  # normally answered by middleware
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
# The patient's pages, in English at the root and in Spanish under /es/.
urlpatterns += i18n_patterns(
    path("locations/", include("locations.urls")),
    path("consultation/", include("consultations.urls")),
    path("", include("pages.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
