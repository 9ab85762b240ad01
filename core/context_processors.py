from django.conf import settings

from .models import SiteSettings


def site_settings(request):
    # site_url makes absolute links that must not depend on the Host header
    # (the Open Graph image), as the emails do.
    return {"site_settings": SiteSettings.load(), "site_url": settings.SITE_URL}
