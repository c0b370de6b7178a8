"""Reading the documents a candidate gives: a job advert or a CV as plain text, Markdown or PDF.

``-`` reads standard input. A document that is missing, empty, too large, binary, or a PDF without a
text layer is refused with one line that says what to do.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..errors import BadDataFile

__all__ = ["read_document", "MAX_BYTES"]

MAX_BYTES = 2_000_000
"""Longer documents are refused (a job advert or a CV is a few pages)."""
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#./&'’-]*[A-Za-z0-9+#]|[A-Za-z]")


def read_document(path: str) -> str:
    """The text of a plain-text, Markdown or PDF document (``-`` for standard input).

    Raises:
        BadDataFile: missing, empty, too large, not text, or a PDF without a text layer.
    """
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        p = Path(path).expanduser()
        if not p.exists():
            raise BadDataFile(f"{p} does not exist", "check the path of the job advert or CV")
        if p.is_dir():
            raise BadDataFile(f"{p} is a folder", "give the path of a text, Markdown or PDF file")
        if p.stat().st_size > MAX_BYTES:
            raise BadDataFile(f"{p.name} is {p.stat().st_size / 1e6:.1f} MB, too large for a job advert or CV",
                              f"give a document under {MAX_BYTES // 1_000_000} MB (the text of the advert)")
        try:
            data = p.read_bytes()
        except PermissionError:
            raise BadDataFile(f"{p}: permission denied", f"make it readable: chmod a+r {p}") from None
        name = p.name
    if len(data) > MAX_BYTES:
        raise BadDataFile(f"{name} is too large for a job advert or CV", "give the text of the advert (a few pages)")
    if not data.strip():
        raise BadDataFile(f"{name} is empty", "give a job advert or CV with some text in it")
    if data[:5] == b"%PDF-":
        text = _pdf_text(data, name)
    else:
        if b"\x00" in data[:4096]:
            raise BadDataFile(f"{name} is not a text, Markdown or PDF document", "save the advert or CV as text or PDF")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            if sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
                raise BadDataFile(f"{name} is not a text, Markdown or PDF document",
                                  "save the advert or CV as text or PDF") from None
    if len(_TOKEN.findall(text)) < 5:
        raise BadDataFile(f"{name} has almost no words", "give the whole job advert or CV")
    return text


def _pdf_text(data: bytes, name: str) -> str:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files warn on stderr otherwise
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:20])
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise BadDataFile(f"{name} is a damaged PDF ({str(exc)[:80]})", "export the document as PDF again, or as text") from None
    if len(_TOKEN.findall(text)) < 5:
        raise BadDataFile(f"{name} is a PDF with no text layer (a scan or an image)",
                          "give a PDF with selectable text, or paste the text into a .txt file")
    return text
