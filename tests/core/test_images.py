import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import MAX_BYTES, MAX_PIXELS, validate_image
from pages.models import Clinician

pytestmark = pytest.mark.django_db


def jpeg_with_exif(width=1600, height=900):
    image = Image.new("RGB", (width, height), (40, 90, 140))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (37.0, 48.0, 0.0)}  # GPSInfo: a latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_upload_is_stripped_of_exif_and_gets_webp_renditions():
    upload = jpeg_with_exif()
    with Image.open(upload) as original:
        assert original.getexif()
    upload.seek(0)
    clinician = Clinician(
        name="Dr. Test", key="dr-test", credentials="MD", role="Tester"
    )
    clinician.photo = upload
    clinician.save()

    with (
        clinician.photo.storage.open(clinician.photo.name) as fh,
        Image.open(fh) as saved,
    ):
        assert dict(saved.getexif()) == {}
    renditions = clinician.image_renditions()
    assert [w for _url, w, _h in renditions] == [480, 960, 1440]
    assert renditions[0][2] == 270  # height keeps the aspect ratio
    for url, width, _height in renditions:
        name = url.removeprefix("/media/")
        with clinician.photo.storage.open(name) as fh, Image.open(fh) as webp:
            assert webp.format == "WEBP" and webp.width == width


def image_file(fmt, size=(64, 48), mode="RGB", name=None):
    """A real, readable image Pillow writes now, as an upload."""
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    name = name or f"picture.{fmt.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_validator_accepts_the_allowed_formats_and_rewinds(fmt):
    upload = image_file(fmt)
    validate_image(upload)
    # The file is read again on save: it must be back at its start.
    assert upload.tell() == 0
    with Image.open(upload) as image:
        assert image.format == fmt


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_validator_refuses_readable_images_in_other_formats(fmt):
    upload = image_file(fmt)
    with Image.open(upload) as image:  # a valid image, not a broken file
        image.verify()
    with pytest.raises(ValidationError, match="Upload a JPEG, PNG or WebP image"):
        validate_image(upload)


def test_the_format_is_read_from_the_content_not_the_name():
    with pytest.raises(ValidationError, match="Upload a JPEG, PNG or WebP image"):
        validate_image(image_file("GIF", name="photo.jpg"))


def test_validator_refuses_an_image_over_the_pixel_limit():
    # One-bit pixels keep this 40-megapixel image small in memory and on disk.
    over = image_file("PNG", size=(8000, 5001), mode="1")
    assert over.size < MAX_BYTES
    with pytest.raises(ValidationError, match="too many pixels"):
        validate_image(over)


def test_validator_accepts_an_image_at_the_pixel_limit():
    assert 8000 * 5000 == MAX_PIXELS
    validate_image(image_file("PNG", size=(8000, 5000), mode="1"))


@pytest.mark.parametrize(
    "content,name",
    [
        (b"GIF89a" + b"\x00" * 50, "x.gif"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "x.svg",
        ),
        (b"not an image at all", "x.jpg"),
    ],
    ids=["truncated-gif", "svg", "text"],
)
def test_validator_refuses_files_that_are_not_readable_images(content, name):
    with pytest.raises(ValidationError, match="not a readable image"):
        validate_image(SimpleUploadedFile(name, content))


def test_validator_refuses_files_over_5_mb():
    big = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="5 MB"):
        validate_image(big)
