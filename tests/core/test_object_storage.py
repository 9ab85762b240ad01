"""Media on S3-compatible object storage, against a real S3 API server (moto's
server mode, started by the suite on 127.0.0.1): uploads and their renditions
land in the bucket, public and cached for a year, and pages link to them there
without a single storage request while rendering."""

import io
import urllib.request
from unittest import mock

import botocore.client
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pages.models import Article
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def png(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 110, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_default_storage_is_the_bucket(s3_media):
    client, bucket = s3_media
    assert default_storage.__class__.__name__ == "S3Storage"
    assert default_storage.bucket_name == bucket


def test_upload_and_renditions_are_written_to_the_bucket(s3_media):
    client, bucket = s3_media
    location = LocationFactory(photo=SimpleUploadedFile("door.png", png(1600, 1000)))

    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    stem = location.photo.name.removesuffix(".png")
    assert keys == {location.photo.name} | {
        f"{stem}-{w}w.webp" for w in (480, 960, 1440)
    }
    rendition = client.get_object(Bucket=bucket, Key=f"{stem}-480w.webp")
    assert rendition["CacheControl"] == "public, max-age=31536000, immutable"
    assert rendition["ContentType"] == "image/webp"
    with Image.open(io.BytesIO(rendition["Body"].read())) as image:
        assert (image.format, image.width) == ("WEBP", 480)
    # Nothing about the upload was written to the local media folder.
    assert location.photo.storage is default_storage


def test_a_second_upload_with_the_same_name_does_not_replace_the_first(s3_media):
    first = LocationFactory(photo=SimpleUploadedFile("door.png", png(500, 400)))
    second = LocationFactory(photo=SimpleUploadedFile("door.png", png(600, 400)))
    # Names never change content, which is what makes a year of caching safe.
    assert first.photo.name != second.photo.name


def test_article_page_links_the_bucket_and_makes_no_storage_request(
    s3_media, demo, client, s3_server
):
    _client, bucket = s3_media
    article = Article.objects.get(slug="what-to-expect")
    article.hero_image = SimpleUploadedFile("hero.png", png(2000, 1000))
    article.hero_alt = "A quiet treatment room"
    article.save()

    def no_calls(*args, **kwargs):
        raise AssertionError("rendering made an object-storage request")

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", no_calls):
        html = client.get(article.get_absolute_url()).content.decode()

    url = f"{s3_server}/{bucket}/{article.hero_image.name.removesuffix('.png')}"
    assert f"{url}-1440w.webp 1440w" in html
    assert 'width="1440" height="720"' in html
    # The link works for anyone: public, unsigned, served by the store itself.
    with urllib.request.urlopen(f"{url}-960w.webp", timeout=10) as response:  # nosec B310 # loopback test server
        assert response.status == 200
        assert response.headers["Cache-Control"].startswith("public, max-age=31536000")
