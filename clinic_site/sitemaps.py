from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from locations.models import Location
from pages.models import Article
from pages.urls import CONTENT_PAGES


class StaticPageSitemap(Sitemap):
    protocol = "https"

    def items(self):
        return [
            "pages:home",
            "pages:learn",
            "locations:list",
            "consultations:create",
        ] + [f"pages:{slug}" for slug in CONTENT_PAGES]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    protocol = "https"

    def items(self):
        # Lists, so the paginator counts them without a COUNT query.
        return list(Article.objects.published().only("slug", "updated_at"))

    def lastmod(self, article):
        return article.updated_at


class LocationSitemap(Sitemap):
    protocol = "https"

    def items(self):
        return list(Location.objects.public())


SITEMAPS = {
    "pages": StaticPageSitemap,
    "articles": ArticleSitemap,
    "locations": LocationSitemap,
}
