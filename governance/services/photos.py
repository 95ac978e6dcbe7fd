"""Photos people upload to the chain's pages (a meetup's report; success stories may share it).

One form field and one clean-up, so every photo gets the same rules:

- ``PhotoField`` refuses an upload that is too large before Pillow reads it (the limit named in
  the message), then lets Pillow decide by the content, not the name, whether it is a PNG, JPEG
  or WebP image at all (no SVG: it can carry script; no GIF/TIFF: not worth the attack surface),
  and refuses images of absurd dimensions (a decompression bomb).
- ``normalised`` turns the accepted image into a JPEG of at most ``MAX_SIDE`` pixels on its
  longest side, upright (the EXIF orientation applied) and with **no metadata** (no EXIF, no GPS
  position, no camera serial): the image is re-drawn from its pixels only, under a random name.
"""

from __future__ import annotations

import io
import uuid

from django import forms
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

PHOTO_MAX_BYTES = 5 * 1024 * 1024  # 5 MB: a phone photo fits, a raw camera file does not
PHOTO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_SIDE = 1600  # pixels on the longest side: sharp on a page, small to store and send
MAX_PIXELS = 40_000_000  # more than any phone makes; a bigger image is a decompression bomb
JPEG_QUALITY = 85


class PhotoField(forms.ImageField):
    """A photo upload: small enough, and a PNG, JPEG or WebP image according to its content."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("PNG, JPEG or WebP, at most %(size)s. We make it smaller and remove its metadata (such as location).")
            % {"size": filesizeformat(PHOTO_MAX_BYTES)},
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(PHOTO_FORMATS.values())}))
        super().__init__(**kwargs)

    def to_python(self, data):
        size = getattr(data, "size", None)
        if size is not None and size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; a photo can be at most %(max)s. Make the photo smaller and try again."),
                code="too_large",
                params={"size": filesizeformat(size), "max": filesizeformat(PHOTO_MAX_BYTES)},
            )
        try:
            upload = super().to_python(data)  # Pillow opens and verifies it: "not an image" ends here
        except Image.DecompressionBombError as exc:
            raise forms.ValidationError(_("This image is too large in pixels."), code="too_large") from exc
        if upload is None:
            return None
        image = getattr(upload, "image", None)
        if getattr(image, "format", None) not in PHOTO_FORMATS:
            raise forms.ValidationError(_("A photo must be a PNG, JPEG or WebP image."), code="invalid_format")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise forms.ValidationError(_("This image is too large in pixels."), code="too_large")
        return upload


def normalised(upload) -> ContentFile:
    """The uploaded photo as a JPEG without metadata, at most MAX_SIDE pixels on its longest side.

    ``upload`` is what PhotoField returned (already checked); the result is ready to assign to an
    ImageField (``instance.photo = normalised(upload)``)."""
    upload.seek(0)
    with Image.open(upload) as opened:
        image = ImageOps.exif_transpose(opened)  # upright, as the camera meant it
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        if image.mode != "RGB":
            # Transparency onto white, not black: a PNG logo-like photo stays readable.
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        # A fresh image from the pixels alone: nothing of the original's info (EXIF, XMP, ICC,
        # comments) can come along.
        clean = Image.new("RGB", image.size)
        clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
