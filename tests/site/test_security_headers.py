"""Headers, cookies and probes under the production settings.

The production settings module is executed with throwaway environment values,
and every setting it changes (apart from databases, caches, storage and mail
transport) is applied to this test run. A security setting added to prod.py is
therefore tested without anyone touching this file.
"""

import os
import re
import runpy
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from locations.models import Location
from pages.models import Article
from pages.urls import CONTENT_PAGES
from tests import observatory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOST = "clinic.example"
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}
# Settings that decide where data lives or how mail travels, not how the site
# answers a browser: the test run keeps its own.
KEEP_FROM_TEST_RUN = {
    "SECRET_KEY",
    "STORAGES",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "PASSWORD_HASHERS",
    "DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL",
}
KEEP_PREFIXES = ("DATABASE", "CACHE", "EMAIL_", "MAILER_")
PROBES = [
    "/.env",
    "/.git/HEAD",
    "/.git/config",
    "/static/../manage.py",
    "/static/%2e%2e/clinic_site/settings/base.py",
    "/static/..%2f..%2fmanage.py",
    "/media/../.env",
]


def _prod_env(admin_url):
    return {
        "DJANGO_SECRET_KEY": "throwaway-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_ADMIN_URL": admin_url,
        "DATABASE_URL": "sqlite:////tmp/unused-prod-headers.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "EMAIL_URL": "smtp://mail.example:587",
        "DEFAULT_FROM_EMAIL": "clinic@clinic.example",
        "SITE_URL": f"https://{HOST}",
        "CLINIC_ESCALATION_EMAIL": "escalation@clinic.example",
    }


@pytest.fixture
def prod(settings, monkeypatch):
    """Apply what clinic_site.settings.prod changes; return the names applied."""
    for name in list(os.environ):
        if name.startswith("DJANGO_SECURE"):
            monkeypatch.delenv(name)
    # The URLconf is already built around the test run's admin path.
    for name, value in _prod_env(settings.ADMIN_URL).items():
        monkeypatch.setenv(name, value)
    module = runpy.run_module("clinic_site.settings.prod")
    applied = []
    for name, value in module.items():
        if (
            not name.isupper()
            or name in KEEP_FROM_TEST_RUN
            or name.startswith(KEEP_PREFIXES)
        ):
            continue
        if getattr(settings, name, object()) != value:
            setattr(settings, name, value)
            applied.append(name)
    return applied


def https_client(**extra):
    return Client(HTTP_HOST=HOST, **HTTPS, **extra)


def _staff_with_totp(password="a-long-staff-passphrase-9"):
    user = get_user_model().objects.create_user(
        "headers-staff", "staff@clinic.example", password, is_staff=True
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device, password


def _admin_sign_in(client, settings):
    user, device, password = _staff_with_totp()
    login_url = f"/{settings.ADMIN_URL}login/"
    page = client.get(login_url)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    response = client.post(
        login_url,
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": user.username,
            "password": password,
            "otp_device": device.persistent_id,
            "otp_token": f"{totp(device.bin_key):06d}",
            "next": f"/{settings.ADMIN_URL}",
        },
        HTTP_REFERER=f"https://{HOST}{login_url}",
    )
    return page, response


def _public_paths(client):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.content.decode())
    return [urlsplit(loc).path for loc in locs]


def _crawl(client, settings):
    """(label, response) for every page a visitor or a staff member can reach."""
    responses = []
    paths = _public_paths(client)
    for path in [*paths, "/robots.txt", "/sitemap.xml", "/consultation/thanks/"]:
        responses.append((path, client.get(path)))
    # Again: content pages now come from the page cache, whose stored headers
    # must be just as complete.
    for path in paths:
        responses.append((f"{path} (second visit)", client.get(path)))

    form = client.get("/consultation/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content)
    posted = client.post(
        "/consultation/",
        {"csrfmiddlewaretoken": token.group(1).decode() if token else ""},
        HTTP_REFERER=f"https://{HOST}/consultation/",
    )
    responses.append(("POST /consultation/", posted))

    coming = Location.objects.filter(status=Location.Status.COMING_SOON).first()
    if coming is not None:
        page = client.get(coming.get_absolute_url())
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
        waitlist = reverse("locations:waitlist", args=[coming.slug])
        posted = client.post(
            waitlist,
            {"csrfmiddlewaretoken": token.group(1).decode(), "name": ""},
            HTTP_REFERER=f"https://{HOST}{coming.get_absolute_url()}",
        )
        responses.append((f"POST {waitlist}", posted))

    login_page, signed_in = _admin_sign_in(client, settings)
    responses += [("admin login", login_page), ("admin sign-in POST", signed_in)]
    responses.append(("admin index", client.get(f"/{settings.ADMIN_URL}")))
    responses.append(("404 page", client.get("/no-such-page/")))
    return paths, responses


def test_prod_settings_are_really_applied(prod, settings):
    # Guards the fixture: if this failed, every header test would be vacuous.
    assert {"SECURE_HSTS_SECONDS", "SESSION_COOKIE_NAME", "ALLOWED_HOSTS"} <= set(prod)
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.SECURE_SSL_REDIRECT is True


def test_every_page_form_and_admin_score_at_least_100_with_no_failed_check(
    prod, settings, demo, capsys
):
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True, **HTTPS)
    paths, responses = _crawl(client, settings)

    # The sitemap must cover the whole public site, or the crawl proves little.
    expected = {"/", "/learn/", "/locations/", "/consultation/"}
    expected |= {f"/{slug}/" for slug in CONTENT_PAGES}
    expected |= {f"/learn/{a.slug}/" for a in Article.objects.published()}
    expected |= {f"/locations/{loc.slug}/" for loc in Location.objects.public()}
    assert expected <= set(paths), expected - set(paths)
    assert len(paths) >= 20

    card = observatory.Scorecard()
    cookies = []
    for label, response in responses:
        assert response.status_code < 500, label
        if b"csrfmiddlewaretoken" in response.content:
            # A page with a form token must never be kept by a shared cache.
            cache_control = response.headers.get("Cache-Control", "")
            assert "no-store" in cache_control, label
            assert "public" not in cache_control, label
        observatory.score_response(
            card, label, response.headers, response.content, HOST
        )
        cookies += list(response.cookies.values())
    assert cookies, "the form and the admin set at least the CSRF and session cookies"
    card.record("cookies", observatory.cookies_result(cookies, hsts=True))

    plain = Client(headers={"host": HOST}).get("/", HTTP_X_FORWARDED_PROTO="http")
    card.record(
        "redirection",
        observatory.redirection_result(
            plain.status_code, plain.headers.get("Location", ""), HOST
        ),
    )
    cross = client.get("/", HTTP_ORIGIN="https://attacker.example")
    card.record(
        "cross-origin-resource-sharing",
        observatory.cors_result(cross.headers, "https://attacker.example"),
    )

    with capsys.disabled():
        print(f"\n{len(responses)} responses checked\n{card.report()}")  # noqa: T201
    assert card.problems == []
    assert card.failed == {}
    assert card.score >= 100


def test_every_cookie_is_secure_host_prefixed_httponly_and_samesite(
    prod, settings, demo
):
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True, **HTTPS)
    login_page, signed_in = _admin_sign_in(client, settings)
    assert signed_in.status_code == 302, "the staff member could not sign in"
    cookies = {
        **{m.key: m for m in login_page.cookies.values()},
        **{m.key: m for m in signed_in.cookies.values()},
    }
    assert {"__Host-csrftoken", "__Host-sessionid"} <= set(cookies)
    for name, morsel in cookies.items():
        assert morsel["secure"], name
        assert morsel["samesite"] in ("Lax", "Strict"), name
        # __Host- cookies are only accepted with Path=/ and no Domain.
        assert morsel["path"] == "/", name
        assert not morsel["domain"], name
    assert cookies["__Host-sessionid"]["httponly"]
    assert cookies["__Host-csrftoken"]["httponly"]


def test_plain_http_is_redirected_to_https_on_the_same_host(prod, demo):
    response = Client(headers={"host": HOST}).get(
        "/learn/?x=1", HTTP_X_FORWARDED_PROTO="http"
    )
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/learn/?x=1"


@pytest.mark.parametrize("path", PROBES)
def test_secret_and_traversal_probes_get_404(prod, path, demo):
    response = https_client().get(path)
    assert response.status_code == 404
    assert b"SECRET_KEY" not in response.content
    assert b"[core]" not in response.content


def test_unknown_host_gets_400_without_details(prod, demo):
    client = Client(headers={"host": "attacker.example"}, raise_request_exception=False)
    response = client.get("/", **HTTPS)
    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()
    assert b"attacker.example" not in response.content
    assert b"ALLOWED_HOSTS" not in response.content
    assert b"Traceback" not in response.content


def test_forced_error_shows_the_site_500_page_without_traceback_or_posted_data(
    prod, settings, demo
):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    canary = "ZZCANARY-500-jane.doe@example.org"
    client = Client(HTTP_HOST=HOST, raise_request_exception=False, **HTTPS)
    response = client.post("/__tests__/fail/", {"email": canary, "message": canary})

    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, something went wrong on our side" in body
    assert 'href="tel:+15105550100"' in body
    for leak in (canary, "Traceback", "RuntimeError", "could not handle", 'File "'):
        assert leak not in body
    assert observatory.required_header_problems(response.headers) == []


def test_scorecard_fails_a_weak_site():
    # The scorer itself must be able to say no.
    card = observatory.Scorecard()
    weak = {
        "Content-Security-Policy": "default-src *; script-src 'self' 'unsafe-inline'",
        "Referrer-Policy": "unsafe-url",
        "Server": "gunicorn/27.0.1",
        "X-Powered-By": "Django",
    }
    observatory.score_response(
        card, "/", weak, b"<script src=//cdn.example/x.js>", HOST
    )
    assert card.failed["content-security-policy"][1] == -20
    assert card.failed["strict-transport-security"][1] == -20
    assert card.score < 50
    assert any("X-Powered-By" in p for p in card.problems)
    assert any("version" in p for p in card.problems)


def _free_port():
    for port in range(8700, 8800):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8700-8799")


@pytest.fixture
def gunicorn_prod(tmp_path):
    """A real gunicorn with gunicorn.conf.py and the production settings."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        **_prod_env("staff-probe/"),
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "0",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = subprocess.Popen(
        [
            bin_dir / "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "clinic_site.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _raw_get(port, path, host=HOST):
    conn = HTTPConnection("127.0.0.1", port, timeout=20)
    # http.client sends the path exactly as given: no "../" clean-up.
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host)
    conn.putheader("X-Forwarded-Proto", "https")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_real_gunicorn_hides_versions_and_refuses_probes(gunicorn_prod):
    status, headers, _ = _raw_get(gunicorn_prod, "/healthz", host="127.0.0.1")
    assert status == 200
    assert headers.get("Server") == "clinic"
    assert observatory.banner_problems(headers) == []

    for path in PROBES:
        status, headers, body = _raw_get(gunicorn_prod, path)
        assert status in (400, 404), path
        assert observatory.banner_problems(headers) == [], path
        assert b"SECRET_KEY" not in body and b"django-admin" not in body, path

    status, _, body = _raw_get(gunicorn_prod, "/", host="attacker.example")
    assert status == 400
    assert b"Traceback" not in body
