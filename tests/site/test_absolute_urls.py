"""Every absolute URL a page or email carries comes from SITE_URL, never from
the Host the request named (pages are cached and shared across Hosts)."""

import json
import re

import pytest

from locations.models import Location
from pages.models import Article

pytestmark = pytest.mark.django_db
SITE = "https://clinic.example"


@pytest.fixture
def as_other_host(settings, client):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["other-host.test"]
    client.defaults["HTTP_HOST"] = "other-host.test:8443"
    return client


def jsonld_urls(html):
    urls = []
    for block in re.findall(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
    ):
        urls += re.findall(r'"url": "([^"]+)"', json.dumps(json.loads(block)))
    return urls


def test_pages_name_only_site_url_whatever_the_host(demo, as_other_host):
    article = Article.objects.published().first().get_absolute_url()
    location = Location.objects.public().first().get_absolute_url()
    for path in ("/", article, location):
        html = as_other_host.get(path).content.decode()
        assert "other-host" not in html, path
        assert f'<link rel="canonical" href="{SITE}' in html, path
        assert f'<meta property="og:url" content="{SITE}' in html, path
        urls = jsonld_urls(html)
        assert urls and all(url.startswith(SITE + "/") for url in urls), path


def test_robots_names_the_sitemap_on_site_url(as_other_host):
    text = as_other_host.get("/robots.txt").content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text
    assert "other-host" not in text
