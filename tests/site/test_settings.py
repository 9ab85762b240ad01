import os
import socket
import threading

import pytest
from django.contrib.auth import get_user_model

from tests.prod_settings import PROD_ENV, prod_settings, run


def test_prod_settings_start_with_every_variable_set():
    built = prod_settings("EMAIL_USE_TLS", "DEBUG")
    # Port 587 means STARTTLS; DEBUG is off whatever the environment says.
    assert built == {"EMAIL_USE_TLS": True, "DEBUG": False}


def test_debug_stays_off_in_production_even_when_asked_for():
    assert prod_settings("DEBUG", env={**PROD_ENV, "DJANGO_DEBUG": "true"}) == {
        "DEBUG": False
    }


@pytest.mark.parametrize("missing", sorted(PROD_ENV))
def test_prod_settings_refuse_to_start_and_name_the_missing_variable(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = run("", env=env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "ImproperlyConfigured" in result.stderr


class FakeRedis:
    """Just enough of a Redis server on loopback to record what a client asks."""

    def __init__(self):
        self.commands = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            resp3 = False
            with conn, conn.makefile("rb") as stream:
                for args in self._read(stream):
                    self.commands.append(args)
                    resp3 = resp3 or args[:2] == ["HELLO", "3"]
                    conn.sendall(self._reply(args, resp3))

    @staticmethod
    def _read(stream):
        while line := stream.readline():
            args = []
            for _ in range(int(line[1:])):
                size = int(stream.readline()[1:])
                args.append(stream.read(size + 2)[:-2].decode())
            yield args

    @staticmethod
    def _reply(args, resp3):
        name = args[0].upper()
        if name == "HELLO":  # RESP3 handshake: answer with the protocol asked for
            return b"%1\r\n$5\r\nproto\r\n:" + args[1].encode() + b"\r\n"
        if name == "GET":  # a miss
            return b"_\r\n" if resp3 else b"$-1\r\n"
        return b"+OK\r\n"

    def close(self):
        self._server.close()


@pytest.fixture
def fake_redis():
    server = FakeRedis()
    yield server
    server.close()


def test_production_cache_is_the_redis_server_named_in_redis_url(fake_redis):
    # Whatever client library the settings choose, the shared cache must be
    # the server in REDIS_URL (its database number too), with the site's key
    # prefix: rate limits and the page cache are shared between processes.
    env = {**PROD_ENV, "REDIS_URL": f"redis://127.0.0.1:{fake_redis.port}/3"}
    result = run(
        "from django.core.cache import cache\nprint(repr(cache.get('probe')))",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
    asked = [args for args in fake_redis.commands if args[0].upper() != "CLIENT"]
    assert ["SELECT", "3"] in asked
    assert ["GET", "clinic:1:probe"] in asked


def test_without_redis_url_the_dev_cache_stays_in_the_process():
    env = {k: v for k, v in PROD_ENV.items() if k != "REDIS_URL"}
    result = run(
        "from django.core.cache import caches\n"
        "cache = caches['default']\n"
        "cache.set('probe', 'here')\n"
        "print(type(cache).__name__, cache.get('probe'))",
        env=env,
        settings_module="clinic_site.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["LocMemCache", "here"]


def test_wsgi_serves_production_settings_when_none_are_named():
    code = (
        "from clinic_site.wsgi import application\n"
        "from django.conf import settings\n"
        "print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    result = run(code, settings_module=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["clinic_site.settings.prod", "False"]


def test_wsgi_fails_closed_without_the_production_environment():
    # Not the dev settings' DEBUG page and local key: no start at all.
    code = "from clinic_site.wsgi import application"
    result = run(code, env={}, settings_module=None)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_no_user_accounts_ship_with_migrations():
    assert get_user_model().objects.count() == 0


MEDIA_S3_ENV = {
    "MEDIA_S3_BUCKET": "clinic-media",
    "MEDIA_S3_REGION": "us-west-2",
    "MEDIA_S3_ACCESS_KEY_ID": "key-id",
    "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
    "MEDIA_S3_CUSTOM_DOMAIN": "media.clinic.example",
}


def test_prod_media_on_object_storage_is_public_cached_and_allowed_by_csp():
    built = prod_settings(
        "STORAGES", "CONTENT_SECURITY_POLICY", env={**PROD_ENV, **MEDIA_S3_ENV}
    )
    media = built["STORAGES"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    options = media["OPTIONS"]
    assert options["object_parameters"] == {
        "CacheControl": "public, max-age=31536000, immutable"
    }
    # Plain URLs (no expiring signature inside cached pages); unique names.
    assert (options["querystring_auth"], options["file_overwrite"]) == (False, False)
    img_src = built["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://media.clinic.example" in img_src


def test_prod_media_stays_on_local_disk_without_a_bucket():
    media = prod_settings("STORAGES")["STORAGES"]["default"]
    assert media["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    "drop",
    [
        "MEDIA_S3_BUCKET",
        "MEDIA_S3_REGION",
        "MEDIA_S3_SECRET_ACCESS_KEY",
        "MEDIA_S3_ACCESS_KEY_ID",
    ],
)
def test_prod_refuses_half_configured_object_storage(drop):
    media = {k: v for k, v in MEDIA_S3_ENV.items() if k != drop}
    result = run("", env={**PROD_ENV, **media})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert drop in result.stderr.split("missing: ")[-1]


def test_hsts_preload_is_off_unless_the_environment_opts_in():
    assert prod_settings("SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS") == {
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    opted_in = {**PROD_ENV, "DJANGO_SECURE_HSTS_PRELOAD": "1"}
    assert prod_settings("SECURE_HSTS_PRELOAD", env=opted_in) == {
        "SECURE_HSTS_PRELOAD": True
    }


def test_deploy_check_stays_clean():
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "deploy-check.sh"
    # The test run's own DJANGO_ALLOW_ASYNC_UNSAFE (tests/conftest.py) is not
    # production's.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(["bash", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"PORT": "8001"}, "http://127.0.0.1:8001"),
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8001", "SITE_URL": "http://dev.example"}, "http://dev.example"),
    ],
)
def test_dev_site_url_follows_port_unless_set(extra, expected):
    env = {k: v for k, v in PROD_ENV.items() if k not in ("SITE_URL", "PORT")}
    result = run(
        "from django.conf import settings\nprint(settings.SITE_URL)",
        env={**env, **extra},
        settings_module="clinic_site.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
