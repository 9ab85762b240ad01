"""Images and their storage: the size is recorded on upload, so rendering a page
never touches the stored file; rotated photos record their upright size; rows
stored before sizes were recorded get them from a migration step."""

import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import backfill_dimensions
from locations.models import Location
from pages.models import Article, Clinician
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def image_bytes(width, height, fmt="JPEG", exif=None):
    buffer = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", (width, height), (90, 120, 150)).save(buffer, format=fmt, **extra)
    return buffer.getvalue()


@contextmanager
def storage_file_access_fails():
    """Any read of a stored file (open, size, exists) raises inside the block."""

    def refuse(*args, **kwargs):
        raise AssertionError("a page render touched the stored file")

    storage_class = default_storage.__class__
    with (
        mock.patch.object(storage_class, "open", refuse),
        mock.patch.object(storage_class, "_open", refuse),
        mock.patch.object(storage_class, "size", refuse),
        mock.patch.object(storage_class, "exists", refuse),
    ):
        yield


def test_upload_records_width_and_height():
    clinician = Clinician.objects.create(
        name="Dr. W",
        key="dr-w",
        credentials="MD",
        role="Tester",
        photo=SimpleUploadedFile("w.jpg", image_bytes(1600, 900)),
    )
    clinician.refresh_from_db()
    assert (clinician.photo_width, clinician.photo_height) == (1600, 900)


def test_rendering_article_and_location_pages_never_opens_the_image(demo, client):
    article = Article.objects.get(slug="what-to-expect")
    article.hero_image = SimpleUploadedFile("hero.png", image_bytes(2000, 1000, "PNG"))
    article.hero_alt = "A quiet treatment room"
    article.save()
    location = LocationFactory(
        photo=SimpleUploadedFile("front.jpg", image_bytes(1200, 800)),
        photo_alt="The entrance",
    )

    with storage_file_access_fails():
        article_html = client.get(article.get_absolute_url()).content.decode()
        location_html = client.get(location.get_absolute_url()).content.decode()

    assert 'width="1440" height="720"' in article_html
    assert "hero-480w.webp 480w" in article_html
    assert "front-960w.webp 960w" in location_html
    assert 'width="960" height="640"' in location_html


def test_storage_guard_really_catches_a_file_read(demo):
    # The guard above is only proof if a read would trip it.
    default_storage.save("probe.txt", ContentFile(b"x"))
    with storage_file_access_fails(), pytest.raises(AssertionError):
        default_storage.open("probe.txt")


def test_rotated_photo_records_its_upright_size():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees on display
    clinician = Clinician(name="Dr. R", key="dr-r", credentials="MD", role="Tester")
    clinician.photo = SimpleUploadedFile("r.jpg", image_bytes(1600, 900, exif=exif))
    clinician.save()
    clinician.refresh_from_db()
    assert (clinician.photo_width, clinician.photo_height) == (900, 1600)
    assert clinician.image_renditions()[0][1:] == (480, 853)


def test_backfill_records_sizes_and_drops_references_to_missing_files():
    stored = LocationFactory(photo=SimpleUploadedFile("a.jpg", image_bytes(640, 480)))
    gone = LocationFactory()
    # Rows as they were before sizes were recorded: a name, no size.
    Location.objects.filter(pk=stored.pk).update(photo_width=None, photo_height=None)
    Location.objects.filter(pk=gone.pk).update(photo="locations/deleted.jpg")

    backfill_dimensions(Location, "photo", "photo_width", "photo_height")

    assert Location.objects.values_list("photo_width", "photo_height").get(
        pk=stored.pk
    ) == (640, 480)
    assert Location.objects.get(pk=gone.pk).photo.name == ""
