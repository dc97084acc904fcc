"""Opening and saving the editions' PDFs with pikepdf (qpdf): the one way they are written.

Saved compressed, with object streams, the version never lowered below the document's
own (WeasyPrint writes 1.7; ``/Lang``, XMP and ``DisplayDocTitle`` need 1.4 or later),
and with an ``/ID`` computed from the content, so the same input gives the same bytes.
"""

from __future__ import annotations

import io

import pikepdf

from ..options import Options


def opened(data: bytes) -> pikepdf.Pdf:
    """``data`` as a pikepdf document (use it in a ``with``)."""
    return pikepdf.open(io.BytesIO(data))


def save(document: pikepdf.Pdf, version: str | None = None, object_streams: bool = True) -> bytes:
    """``document`` as bytes; ``version``: at least this PDF version; ``object_streams``:
    off for PDF/A-1, which forbids them."""
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    output = io.BytesIO()
    document.save(
        output,
        compress_streams=True,
        object_stream_mode=mode,
        deterministic_id=True,
        min_version=max(version or "1.7", document.pdf_version),
    )
    return output.getvalue()


def writes_object_streams(options: Options) -> bool:
    """Whether the PDF variant allows object streams (PDF/A-1 forbids them)."""
    return not (options.pdf_variant or "").startswith("pdf/a-1")
