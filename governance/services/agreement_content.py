"""An agreement version's content: its Markdown text rendered safely, its attached PDF checked by
what it is (never by its name or the browser's content type), and its fingerprint computed from
the bytes as stored (through Django's storage API, which may be an object store).

- ``render_markdown``: markdown-it-py (CommonMark, tables; raw HTML off) to HTML, then nh3 keeps
  only harmless tags and attributes and safe link schemes, so a text can never carry script.
- ``check_pdf``: at most ``AGREEMENT_PDF_MAX_BYTES`` (the message says the limit), starts with
  ``%PDF-``, opens in pypdf with at least one page, carries no JavaScript or automatic action,
  and its name ends in .pdf (a real PDF under another name is refused too: the name would lie).
- ``stored_fingerprint``: the SHA-256 of the version's text and of the PDF read back from storage.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from governance.models import AgreementVersion
from governance.models.agreements import fingerprint_of
from ketenportaal.markdown import render_markdown  # noqa: F401  (re-exported; the one rule is there)

logger = logging.getLogger(__name__)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def check_pdf(upload) -> bytes:
    """The upload's bytes when it is a PDF the portal accepts; else ValidationError saying why."""
    limit = settings.AGREEMENT_PDF_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(
            _("This file is %(size)s; an attached PDF can be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            "too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            _("This file is larger than %(max)s, the most an attached PDF can be.") % {"max": filesizeformat(limit)},
            "too_large",
        )
    if not data.startswith(b"%PDF-"):
        raise _refuse(_("This file is not a PDF (whatever its name says): attach the agreement as a PDF."), "not_pdf")
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        root = reader.trailer["/Root"]
        scripted = _carries_script(root)
    except Exception as error:  # noqa: BLE001 — any failure to read it means: not a PDF we accept
        logger.info("attached PDF refused: %s", error)
        raise _refuse(
            _("This file starts like a PDF but cannot be read as one: attach a valid PDF."), "broken"
        ) from None
    if pages < 1:
        raise _refuse(_("This PDF has no pages."), "empty")
    if scripted:
        raise _refuse(_("This PDF carries JavaScript or an automatic action: attach one without."), "script")
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise _refuse(
            _("This file is a PDF but its name “%(name)s” does not end in .pdf: rename it and attach it again.")
            % {"name": name.rsplit("/", 1)[-1][:80]},
            "wrong_name",
        )
    return data


def _carries_script(root) -> bool:
    """Document-level JavaScript (the Names tree) or an open action or additional actions."""
    if "/OpenAction" in root or "/AA" in root:
        return True
    names = root.get("/Names")
    return names is not None and "/JavaScript" in names.get_object()


def pdf_bytes(version: AgreementVersion) -> bytes | None:
    """The attached PDF as stored, read through the storage API; None when there is none."""
    if not version.attachment:
        return None
    with version.attachment.storage.open(version.attachment.name, "rb") as stream:
        return stream.read()


def stored_fingerprint(version: AgreementVersion) -> str:
    """The fingerprint of the version's content as stored now (text and the PDF read back)."""
    return fingerprint_of(version.text, pdf_bytes(version))
