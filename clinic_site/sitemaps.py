from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.urls import reverse

from locations.models import Location
from pages.models import Article, ArticleTranslation
from pages.urls import CONTENT_PAGES


class BilingualSitemap(Sitemap):
    """Each page once per language, each entry naming its translations
    (xhtml:link hreflang, x-default English). Absolute URLs from SITE_URL,
    never from the request's Host header."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticPageSitemap(BilingualSitemap):
    def items(self):
        return [
            "pages:home",
            "pages:learn",
            "locations:list",
            "consultations:create",
        ] + [f"pages:{slug}" for slug in CONTENT_PAGES]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(BilingualSitemap):
    def items(self):
        # Lists, so the paginator counts them without a COUNT query.
        translations = ArticleTranslation.objects.published().only(
            "article_id", "language"
        )
        return list(
            Article.objects.published()
            .only("slug", "updated_at")
            .prefetch_related(Prefetch("translations", queryset=translations))
        )

    def lastmod(self, article):
        return article.updated_at

    def get_languages_for_item(self, article):
        # An article's /es/ address shows its English text until it has a
        # Spanish edition, so only the addresses of its editions are listed.
        return [settings.LANGUAGE_CODE] + [
            edition.language for edition in article.translations.all()
        ]


class LocationSitemap(BilingualSitemap):
    def items(self):
        return list(Location.objects.public())


SITEMAPS = {
    "pages": StaticPageSitemap,
    "articles": ArticleSitemap,
    "locations": LocationSitemap,
}
