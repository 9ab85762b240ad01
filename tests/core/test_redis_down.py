"""Redis is a cache: with it unreachable, every page still answers.

REDIS_URL points at a port nobody listens on (the ``dead_redis`` fixture in
tests/conftest.py builds the production cache settings from it).
"""

import logging

import pytest
from django.core.cache import cache
from django.test import override_settings

from core import caching
from pages.models import Article


@pytest.fixture
def article(demo):
    return Article.objects.published().first()


def test_pages_render_uncached_and_the_misses_are_logged(
    demo, article, client, dead_redis, caplog
):
    with caplog.at_level(logging.ERROR, logger="clinic.cache"):
        for path in ("/", article.get_absolute_url(), "/locations/", "/consultation/"):
            response = client.get(path)
            assert response.status_code == 200, path
    assert any(r.name == "clinic.cache" for r in caplog.records)


def test_healthz_names_the_cache_as_the_failing_part(client, db, dead_redis):
    response = client.get("/healthz")
    # Pages still work without Redis: a load balancer keeps the process.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
    }


def test_an_edit_made_while_redis_is_down_purges_pages_once_it_is_back(
    demo, article, client, settings
):
    url = article.get_absolute_url()
    reachable = settings.CACHES
    assert client.get(url).status_code == 200  # stored under the current version
    stale_version = cache.get(caching.VERSION_KEY)

    # Redis goes away; an editor changes the article meanwhile.
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:8129/2",
                "OPTIONS": {"IGNORE_EXCEPTIONS": True},
            }
        }
    ):
        article.title = "Corrected title"
        article.save()
        assert caching._LocalPages.bump_pending

    # Redis comes back with the old version and the old page in it.
    settings.CACHES = reachable
    assert cache.get(caching.VERSION_KEY) == stale_version
    page = client.get(url).content.decode()
    assert "Corrected title" in page
    assert not caching._LocalPages.bump_pending
