import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import validate_image
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
)
def test_validator_refuses_non_images_and_other_formats(content, name):
    with pytest.raises(ValidationError):
        validate_image(SimpleUploadedFile(name, content))


def test_validator_refuses_files_over_5_mb():
    big = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="5 MB"):
        validate_image(big)
