"""English at the root, Spanish under /es/: the URL alone decides, everywhere."""

import json
import re

import pytest
from django.conf import settings

from core import caching

pytestmark = pytest.mark.django_db

ARTICLE = "/learn/how-ketamine-works/"
# One of each kind of public page, by its English path.
PAGES = [
    "/",
    "/learn/",
    ARTICLE,
    "/locations/",
    "/locations/oakland/",
    "/locations/san-francisco/",
    "/consultation/",
    "/privacy/",
]


@pytest.fixture(autouse=True)
def _fresh_local_pages():
    caching._LocalPages.reset()
    yield
    caching._LocalPages.reset()


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def links(response, rel):
    """{hreflang or None: href} of <link rel=...> in the head."""
    html = response.content.decode()
    found = {}
    for tag in re.findall(r"<link [^>]*>", html):
        if f'rel="{rel}"' in tag:
            lang = re.search(r'hreflang="([^"]+)"', tag)
            found[lang.group(1) if lang else None] = re.search(
                r'href="([^"]+)"', tag
            ).group(1)
    return found


def switch(response):
    return re.findall(
        r'<a class="language-switch" href="([^"]+)" hreflang="([^"]+)" lang="[^"]+">'
        r"([^<]+)</a>",
        response.content.decode(),
    )


def jsonld(response):
    html = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    data = []
    for block in blocks:
        value = json.loads(block)
        data.extend(value if isinstance(value, list) else [value])
    return data


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_english_at_its_path_and_spanish_under_es(demo, client, path):
    english = client.get(path)
    spanish = client.get("/es" + path)

    assert english.status_code == spanish.status_code == 200
    assert (html_lang(english), english["Content-Language"]) == ("en", "en")
    assert (html_lang(spanish), spanish["Content-Language"]) == ("es", "es")


def test_the_url_decides_never_the_browser_or_a_cookie(demo, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    english = client.get("/learn/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")
    assert html_lang(english) == "en"
    spanish = client.get("/es/learn/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert html_lang(spanish) == "es"
    # So a shared cache must not keep a copy per browser language.
    for response in (english, spanish):
        assert "accept-language" not in response.get("Vary", "").lower()


@pytest.mark.parametrize("path", ["/healthz", "/robots.txt", "/sitemap.xml"])
def test_site_plumbing_has_no_spanish_copy(demo, client, path):
    assert client.get(path).status_code == 200
    assert client.get("/es" + path).status_code == 404


def test_the_admin_stays_at_its_one_address(client):
    assert client.get("/" + settings.ADMIN_URL).status_code == 302
    assert client.get("/es/" + settings.ADMIN_URL).status_code == 404


def test_a_spanish_404_is_in_spanish_and_links_spanish_pages(demo, client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert html_lang(response) == "es"
    html = response.content.decode()
    assert 'href="/es/learn/"' in html and 'href="/es/locations/"' in html
    # The switch of a page that does not exist goes to the other home page.
    assert switch(response) == [("/", "en", "English")]


@pytest.mark.parametrize("path", PAGES)
def test_the_switch_keeps_the_reader_on_the_same_page(demo, client, path):
    assert switch(client.get(path)) == [("/es" + path, "es", "Español")]
    assert switch(client.get("/es" + path)) == [(path, "en", "English")]


def test_the_switch_keeps_the_clinic_chosen_for_the_form(demo, client):
    response = client.get("/consultation/?location=oakland")
    assert switch(response) == [("/es/consultation/?location=oakland", "es", "Español")]


@pytest.mark.parametrize("path", ["/", "/locations/oakland/", "/privacy/"])
def test_canonical_per_language_and_hreflang_alternates(demo, client, path):
    base = settings.SITE_URL
    for own in (path, "/es" + path):
        response = client.get(own)
        assert links(response, "canonical") == {None: base + own}
        assert links(response, "alternate") == {
            "en": base + path,
            "es": base + "/es" + path,
            "x-default": base + path,
        }
        assert f'<meta property="og:url" content="{base}{own}">' in (
            response.content.decode()
        )


def test_an_article_without_a_spanish_edition_shows_the_english_one(demo, client):
    response = client.get("/es" + ARTICLE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "todavía no está disponible en español" in html
    # The English text is marked as English, for screen readers and search.
    assert '<article class="article-body" lang="en">' in html
    # Only the English page is canonical; no hreflang claims a Spanish edition.
    base = settings.SITE_URL
    assert links(response, "canonical") == {None: base + ARTICLE}
    assert links(response, "alternate") == {
        "en": base + ARTICLE,
        "x-default": base + ARTICLE,
    }
    page = next(item for item in jsonld(response) if item["@type"] == "MedicalWebPage")
    assert page["inLanguage"] == "en"
    english = client.get(ARTICLE).content.decode()
    assert "todavía no está disponible" not in english
    assert 'class="article-body">' in english


def test_jsonld_says_the_language(demo, client):
    faq = jsonld(client.get("/learn/faq/"))
    assert {item["@type"]: item["inLanguage"] for item in faq} == {
        "MedicalWebPage": "en",
        "FAQPage": "en",
    }
    (organization,) = jsonld(client.get("/es/"))
    assert organization["knowsLanguage"] == ["en", "es"]
    (clinic,) = jsonld(client.get("/es/locations/oakland/"))
    assert clinic["knowsLanguage"] == ["en", "es"]


@pytest.mark.parametrize("first", ["/learn/", "/es/learn/"])
def test_a_cached_page_never_answers_in_the_other_language(demo, client, first):
    other = "/learn/" if first.startswith("/es/") else "/es/learn/"
    cached = client.get(first)
    assert "public" in cached["Cache-Control"]
    # The other language's page is rendered, not the cached copy...
    assert html_lang(client.get(other)) != html_lang(cached)
    # ...and each is then answered from its own copy.
    for path in (first, other, first, other):
        again = client.get(path)
        assert html_lang(again) == ("es" if path.startswith("/es/") else "en")


def test_a_cached_english_page_is_not_served_to_a_spanish_browser(
    demo, client, django_assert_num_queries
):
    english = client.get("/learn/")
    with django_assert_num_queries(0):
        again = client.get("/learn/", HTTP_ACCEPT_LANGUAGE="es")
    assert again.content == english.content
    assert html_lang(client.get("/es/learn/", HTTP_ACCEPT_LANGUAGE="en")) == "es"


def test_the_page_cache_key_names_the_language(rf):
    english = caching._page_key(rf.get("/learn/"), 7)
    spanish = caching._page_key(rf.get("/es/learn/"), 7)
    assert english.startswith("page:7:en:")
    assert spanish.startswith("page:7:es:")
    assert english != caching._page_key(rf.get("/learn/cost/"), 7)


def test_a_page_cache_key_is_short_and_never_holds_the_path(rf):
    # Anonymous GETs are looked up before routing, so signed-link tokens and
    # junk paths reach the key builder too.
    token = "x" * 2000
    key = caching._page_key(rf.get(f"/consultation/withdraw/{token}/"), 7)
    assert len(key) < 64
    assert "withdraw" not in key and "xxxx" not in key


def test_the_sitemap_lists_both_languages_with_alternates(demo, client):
    sitemap = client.get("/sitemap.xml").content.decode()
    base = settings.SITE_URL
    for path in ("/", "/locations/oakland/", "/consultation/", "/privacy/"):
        assert f"<loc>{base}{path}</loc>" in sitemap
        assert f"<loc>{base}/es{path}</loc>" in sitemap
        assert (
            f'<xhtml:link rel="alternate" hreflang="es" href="{base}/es{path}"/>'
            in sitemap
        )
        assert (
            f'<xhtml:link rel="alternate" hreflang="x-default" href="{base}{path}"/>'
            in sitemap
        )
    # An article's /es/ page shows its English text: not listed as Spanish.
    assert f"<loc>{base}{ARTICLE}</loc>" in sitemap
    assert f"<loc>{base}/es{ARTICLE}</loc>" not in sitemap
