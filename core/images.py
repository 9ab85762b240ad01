"""Uploaded images: checked with Pillow, stripped of EXIF, and served as WebP renditions."""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
RENDITION_WIDTHS = (480, 960, 1440)


def validate_image(file):
    if file.size > MAX_BYTES:
        raise ValidationError(_("The image must be 5 MB or smaller."))
    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a readable image.")) from exc
    finally:
        file.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
    if width * height > MAX_PIXELS:
        raise ValidationError(_("The image has too many pixels."))


def _rendition_name(name, width):
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}-{width}w.webp"))


class ResponsiveImageMixin:
    """For models with one image field named by ``image_field_name``.

    On save the original is re-encoded without EXIF (so no camera location or
    device details leak) and WebP copies are written at RENDITION_WIDTHS.
    """

    image_field_name = ""

    def save(self, *args, **kwargs):
        field = getattr(self, self.image_field_name)
        fresh_upload = bool(field) and not getattr(field, "_committed", True)
        if fresh_upload:
            self._strip_metadata(field)
        super().save(*args, **kwargs)
        if fresh_upload:
            self._write_renditions(field)

    @staticmethod
    def _strip_metadata(field):
        field.seek(0)
        with Image.open(field) as image:
            fmt = image.format
            # Pillow writes EXIF only when asked to, so a re-encode drops it
            # (after applying its rotation, so the photo stays upright).
            clean = ImageOps.exif_transpose(image)
            buffer = BytesIO()
            clean.save(buffer, format=fmt)
        field.file = ContentFile(buffer.getvalue(), name=field.name)

    @staticmethod
    def _write_renditions(field):
        storage = field.storage
        with storage.open(field.name) as fh, Image.open(fh) as image:
            image = image.convert("RGB")
            for width in RENDITION_WIDTHS:
                if width > image.width and width != RENDITION_WIDTHS[0]:
                    continue
                copy = image.copy()
                copy.thumbnail((width, width * 10))
                buffer = BytesIO()
                copy.save(buffer, format="WEBP", quality=78)
                name = _rendition_name(field.name, width)
                if storage.exists(name):
                    storage.delete(name)
                storage.save(name, ContentFile(buffer.getvalue()))

    def image_renditions(self):
        """[(url, width, height)] for the renditions that exist, narrowest first."""
        field = getattr(self, self.image_field_name)
        if not field:
            return []
        width, height = field.width, field.height
        out = []
        for target in RENDITION_WIDTHS:
            if target > width and target != RENDITION_WIDTHS[0]:
                continue
            w = min(target, width)
            out.append(
                (
                    field.storage.url(_rendition_name(field.name, target)),
                    w,
                    round(height * w / width),
                )
            )
        return out
