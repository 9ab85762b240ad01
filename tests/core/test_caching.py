"""The page cache: what is shared, what never is, and when it is thrown away."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.http import http_date

from core import caching
from core.caching import PageCacheMiddleware, cached_page
from core.models import SITE_SETTINGS_CACHE_KEY, SiteSettings
from core.protection import make_form_token
from locations.models import Location
from pages.models import Article

pytestmark = pytest.mark.django_db

ARTICLE = "/learn/how-ketamine-works/"


@pytest.fixture(autouse=True)
def _fresh_local_pages():
    caching._LocalPages.reset()
    yield
    caching._LocalPages.reset()


def test_article_is_public_with_validators_and_no_cookie_or_vary(demo, client):
    for _ in range(2):  # the miss that fills the cache, then the hit
        response = client.get(ARTICLE)
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"] and response["Expires"]
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies


def test_hit_is_answered_before_the_view_and_session_run(
    demo, client, django_assert_num_queries
):
    first = client.get(ARTICLE)
    with django_assert_num_queries(0):
        second = client.get(ARTICLE)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    # Headers set by middleware below the cache are stored with the page.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    # ... and the ones above it are added to every reply.
    assert second["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in second["Permissions-Policy"]


@pytest.mark.parametrize("from_cache", [False, True])
def test_conditional_get_answers_304(demo, client, from_cache):
    first = client.get(ARTICLE)
    if not from_cache:
        cache.clear()  # the validators must also hold for a freshly rendered page
    by_etag = client.get(ARTICLE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]

    by_date = client.get(ARTICLE, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code in (200, 304)
    if from_cache:
        assert by_date.status_code == 304

    other = client.get(ARTICLE, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    older = client.get(ARTICLE, HTTP_IF_MODIFIED_SINCE=http_date(0))
    assert older.status_code == 200


def test_head_is_served_from_the_cache(demo, client):
    get = client.get(ARTICLE)
    head = client.head(ARTICLE)
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]


def test_a_change_to_content_purges_every_cached_page(demo, client):
    assert "Portland" in client.get("/locations/").content.decode()
    learn = client.get("/learn/")
    location = Location.objects.get(slug="portland")
    location.name = "Portland Pearl District"
    location.save()
    assert "Portland Pearl District" in client.get("/locations/").content.decode()

    Article.objects.get(slug="faq").save()
    assert client.get("/learn/")["ETag"] == learn["ETag"]  # same words, same ETag
    settings_record = SiteSettings.load()
    settings_record.brand_name = "Renamed Clinics"
    settings_record.save()
    assert "Renamed Clinics" in client.get(ARTICLE).content.decode()


def test_local_copies_follow_edits_made_in_this_process(demo, client, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    client.get(ARTICLE)
    article = Article.objects.get(slug="how-ketamine-works")
    article.title = "How ketamine works, revised"
    article.save()
    assert "How ketamine works, revised" in client.get(ARTICLE).content.decode()


def test_local_copies_notice_other_processes_edits_once_the_window_passes(
    demo, client, settings
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    client.get(ARTICLE)
    # Another web process saved an article: only the shared version moved.
    Article.objects.filter(slug="how-ketamine-works").update(title="Edited elsewhere")
    cache.incr(caching.VERSION_KEY)
    assert "Edited elsewhere" not in client.get(ARTICLE).content.decode()
    caching._LocalPages.checked_at -= 61
    assert "Edited elsewhere" in client.get(ARTICLE).content.decode()


def test_version_is_not_reused_after_the_cache_is_flushed(db):
    first = caching.content_version()
    cache.clear()
    assert caching.content_version() != first


@pytest.mark.parametrize(
    "cookie", ["sessionid", "__Host-sessionid", "messages", "SESSION_COOKIE_NAME"]
)
def test_visitors_with_a_session_or_flash_message_bypass_the_cache(
    demo, client, cookie
):
    client.get(ARTICLE)
    name = settings.SESSION_COOKIE_NAME if cookie == "SESSION_COOKIE_NAME" else cookie
    client.cookies[name] = "anything"
    response = client.get(ARTICLE)
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_query_strings_are_not_cached_or_shared(demo, client):
    response = client.get(ARTICLE, {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_one_copy_per_page_whatever_the_host_or_port(
    demo, client, settings, django_assert_num_queries
):
    # The old key held the Host header, port included: every port variant
    # stored another copy, and each copy's links named that Host.
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.SITE_URL = "https://clinic.example"
    client.get(ARTICLE, HTTP_HOST="localhost")
    for host in ("127.0.0.1", "127.0.0.1:8443", "localhost:80"):
        # Served from the copy stored for the first host: no query at all.
        with django_assert_num_queries(0):
            html = client.get(ARTICLE, HTTP_HOST=host).content.decode()
        assert f'href="https://clinic.example{ARTICLE}"' in html, host
        assert host not in html
    client.raise_request_exception = False
    assert client.get(ARTICLE, HTTP_HOST="evil.example").status_code == 400


def _chain(view):
    return PageCacheMiddleware(cached_page(view))


def test_a_marked_page_that_sets_a_cookie_is_never_stored_or_shared(db):
    calls = []

    def view(request):
        calls.append(1)
        response = HttpResponse("<form>token</form>")
        response.set_cookie("csrftoken", "secret")
        return response

    handler = _chain(view)
    for _ in range(2):
        response = handler(RequestFactory().get("/oops/"))
        cache_control = response["Cache-Control"]
        assert "public" not in cache_control
        assert "private" in cache_control and "no-store" in cache_control
    assert len(calls) == 2


def test_a_private_page_is_never_stored(db):
    calls = []

    def view(request):
        calls.append(1)
        request.private_page = True
        return HttpResponse("personal")

    handler = _chain(view)
    for _ in range(2):
        response = handler(RequestFactory().get("/mine/"))
        assert "public" not in response.get("Cache-Control", "")
    assert len(calls) == 2


def test_errors_are_not_stored(db):
    calls = []

    def view(request):
        calls.append(1)
        return HttpResponse("gone", status=404)

    handler = _chain(view)
    for _ in range(2):
        response = handler(RequestFactory().get("/missing/"))
        assert response.status_code == 404
        assert not response.has_header("Cache-Control")
    assert len(calls) == 2


def test_admin_login_is_never_cached(client):
    response = client.get(f"/{settings.ADMIN_URL}login/")
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control


def test_saves_purge_again_at_commit(demo, django_capture_on_commit_callbacks):
    # Between a save and its commit, other requests still read the old rows;
    # what they cache then must not survive the commit.
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(slug="faq").save()
        SiteSettings.load().save()
        during = caching.content_version()
        SiteSettings.load()  # a request re-reading the record before commit
        assert cache.get(SITE_SETTINGS_CACHE_KEY) is not None
    assert caching.content_version() != during
    assert cache.get(SITE_SETTINGS_CACHE_KEY) is None


def _valid_request(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Quill",
        "phone": "(510) 555-0177",
        "email": "",
        "location": "oakland",
        "preferred_contact": "phone",
        "language": "en",
        "consent": "on",
        "website": "",
        "form_token": make_form_token(now=time.time() - 10),
    }
    return data | overrides


def _never_shared(response):
    cache_control = response["Cache-Control"]
    return (
        "private" in cache_control
        and "no-store" in cache_control
        and "public" not in cache_control
    )


def test_the_form_its_errors_and_the_thank_you_page_are_never_shared(demo, client):
    for _ in range(2):
        form = client.get("/consultation/")
        assert (
            form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
        )
        assert _never_shared(form)
    errors = client.post("/consultation/", {})
    assert errors.status_code == 200 and _never_shared(errors)
    sent = client.post("/consultation/", _valid_request())
    assert sent.status_code in (302, 303)
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200 and _never_shared(thanks)


def test_pages_served_to_a_signed_in_staff_member_are_private(
    demo, client, django_user_model
):
    editor = django_user_model.objects.create_user(
        username="editor", password="x", is_staff=True
    )
    client.force_login(editor)
    for path in ("/", ARTICLE, "/locations/"):
        response = client.get(path)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert "private" in directives and "public" not in directives, path
