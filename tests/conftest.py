import json
import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

# Playwright's sync API runs an event loop in the test thread; Django must be
# told that ORM calls from the test body are still fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request under /es/ leaves Spanish active in the test thread (Django
    # activates a language per request and never resets it), so a test's own
    # reverse() or get_absolute_url() would give /es/ addresses. Each test
    # starts, as code outside a request does, in the default language.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _mail_goes_through_the_queue(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem; put the queue back so tests
    # see what production does: rows in the queue, delivered by the worker.
    settings.EMAIL_BACKEND = "core.emails.QueueBackend"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server (moto) on a free loopback port, for the whole run."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch):
    """Media on a fresh bucket of the test S3 server, configured the way
    production is (the MEDIA_S3_* variables read by clinic_site.settings.base).
    Yields (boto3 client, bucket name)."""
    import uuid

    import boto3

    from clinic_site.settings.base import media_s3_storage

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    for name, value in {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": "test-key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "test-secret",  # nosec B105 # test server only
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",  # nosec B106 # test server only
    )
    client.create_bucket(Bucket=bucket)
    # Site media is public: anyone may read objects, nobody may list or write
    # (the bucket policy docs/deploy.md asks for in production).
    client.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    storage, _origin = media_s3_storage()
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    yield client, bucket


@pytest.fixture
def demo(db):
    """The fictional demo clinic: site settings, three locations, every article."""
    call_command("load_demo_data", stdout=open(os.devnull, "w"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_url(live_server, demo):
    return live_server.url


@pytest.fixture
def otp_login(db):
    """Log a test client in as a user whose TOTP device is verified, as the
    admin requires (OTPAdminSite). Usage: ``otp_login(client, user)``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client, user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="default", defaults={"confirmed": True}
        )
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def otp_staff_client(client, admin_user, otp_login):
    """A client signed in to the admin as a superuser, with two-factor done."""
    return otp_login(client, admin_user)


DEAD_REDIS_URL = "redis://127.0.0.1:8129/2"  # nothing listens there


@pytest.fixture
def dead_redis(settings):
    """The production cache settings with REDIS_URL at a port nobody listens on."""
    import importlib

    import clinic_site.settings.base as base

    before = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = DEAD_REDIS_URL
    try:
        settings.CACHES = importlib.reload(base).CACHES
    finally:
        if before is None:
            del os.environ["REDIS_URL"]
        else:
            os.environ["REDIS_URL"] = before
        importlib.reload(base)
    assert DEAD_REDIS_URL in str(settings.CACHES)
    from core import caching

    caching._LocalPages.reset()
    yield
    caching._LocalPages.reset()
    caching._LocalPages.bump_pending = False
