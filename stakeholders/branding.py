"""The chain's recognisable face in documents: its logo as a ``data:`` address for a PDF.

WeasyPrint renders the PDFs (progress reports, agendas, minutes, agreements, newsletters) from
HTML without a request of its own, and the members' logo address asks for a signed-in member, so a
PDF carries the logo inline. Read through the storage API (disk or an object store).
"""

from __future__ import annotations

import base64
import mimetypes

from stakeholders.models import Chain


def logo_data_url(chain: Chain) -> str:
    """The chain's logo as a data: address; empty when there is none or it cannot be read."""
    if not chain.logo:
        return ""
    try:
        with chain.logo.open("rb") as stream:
            data = stream.read()
    except OSError:
        return ""
    kind = mimetypes.guess_type(chain.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
