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
    device details leak) and WebP copies are written at RENDITION_WIDTHS, all
    through the field's storage (the default storage: local disk or object
    storage), never a filesystem path. The field records width and height
    (width_field/height_field), so rendering a page never opens the file.
    """

    image_field_name = ""

    def save(self, *args, **kwargs):
        field = getattr(self, self.image_field_name)
        fresh_upload = bool(field) and not getattr(field, "_committed", True)
        clean = None
        if fresh_upload:
            clean = self._strip_metadata(field)
            self._record_size(*clean.size)
        super().save(*args, **kwargs)
        if fresh_upload:
            self._write_renditions(field, clean)

    def _dimension_fields(self):
        model_field = self._meta.get_field(self.image_field_name)
        return model_field.width_field, model_field.height_field

    def _record_size(self, width, height):
        width_field, height_field = self._dimension_fields()
        setattr(self, width_field, width)
        setattr(self, height_field, height)

    @staticmethod
    def _strip_metadata(field):
        """Re-encode the upload in place; return the clean, upright image."""
        field.seek(0)
        with Image.open(field) as image:
            fmt = image.format
            # Pillow writes EXIF only when asked to, so a re-encode drops it
            # (after applying its rotation, so the photo stays upright, which
            # can swap width and height: the recorded size is taken after it).
            clean = ImageOps.exif_transpose(image)
            buffer = BytesIO()
            clean.save(buffer, format=fmt)
            clean.load()
        field.file = ContentFile(buffer.getvalue(), name=field.name)
        return clean

    @staticmethod
    def _write_renditions(field, clean):
        # Made from the image already in memory: no read back from storage.
        storage = field.storage
        image = clean.convert("RGB")
        for width in RENDITION_WIDTHS:
            if width > image.width and width != RENDITION_WIDTHS[0]:
                continue
            copy = image.copy()
            copy.thumbnail((width, width * 10))
            buffer = BytesIO()
            copy.save(buffer, format="WEBP", quality=78)
            name = _rendition_name(field.name, width)
            # The original's name is unique in the storage, so this only
            # replaces a rendition left over from a re-save of the same file.
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile(buffer.getvalue()))

    def image_renditions(self):
        """[(url, width, height)] for the renditions that exist, narrowest first.

        Uses only the recorded size and the storage's URL builder: no file
        access, so a page costs no storage round trip per image.
        """
        field = getattr(self, self.image_field_name)
        width_field, height_field = self._dimension_fields()
        width, height = getattr(self, width_field), getattr(self, height_field)
        if not field or not width or not height:
            return []
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


def backfill_dimensions(model, field_name, width_field, height_field):
    """Record the size of images stored before the model kept it (a migration step).

    Reads names with values_list, since loading a row whose size is unknown
    would make Django open its file. A row whose file is gone or unreadable
    loses the broken reference: with no size, every load of it would try to
    open the missing file and fail.
    """
    from django.core.files.storage import default_storage

    rows = model.objects.exclude(**{field_name: ""}).values_list("pk", field_name)
    for pk, name in rows:
        try:
            with default_storage.open(name) as fh, Image.open(fh) as image:
                size = {width_field: image.width, height_field: image.height}
        except (OSError, UnidentifiedImageError):
            size = {field_name: "", width_field: None, height_field: None}
        model.objects.filter(pk=pk).update(**size)
