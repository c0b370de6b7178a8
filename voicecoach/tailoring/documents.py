"""Reading the documents a candidate gives: a job advert or a CV as plain text, Markdown or PDF.

``-`` reads standard input. A document that is missing, empty, too large, binary, or a PDF without a
text layer is refused with one line that says what to do. Text in UTF-8, UTF-16 or UTF-32 (with or without
a byte-order mark, as Windows' Notepad saves "Unicode") or Windows-1252 is read; a named pipe (``--job
<(curl ...)``) is read with a bound on its size and on how long it may stay silent; a device or a socket is
refused rather than read forever (``/dev/zero``).
"""

from __future__ import annotations

import os
import re
import select
import stat
import sys
from pathlib import Path

from ..errors import BadDataFile

__all__ = ["read_document", "english_note", "MAX_BYTES", "TOKEN", "PIPE_TIMEOUT_S"]

MAX_BYTES = 2_000_000
"""Longer documents are refused (a job advert or a CV is a few pages)."""
PIPE_TIMEOUT_S = 30.0
"""A pipe that sends nothing for this long is given up on."""
TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|[+#./&'’-])*(?:[^\W_]|[+#])|[^\W\d_]")
"""A word of a document, in any alphabet ("hygiène", "Zürich", "C++", "NEWS2", "d'hygiène")."""
_TOKEN = TOKEN
_NOT_TEXT = "save the advert or CV as text (UTF-8) or PDF"


def read_document(path: str) -> str:
    """The text of a plain-text, Markdown or PDF document (``-`` for standard input).

    Raises:
        BadDataFile: missing, empty, too large, not text, a PDF without a text layer, a device, or a pipe
            that sends nothing.
    """
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        p = Path(path).expanduser()
        name = p.name or str(p)
        try:
            st = p.stat()
        except FileNotFoundError:
            raise BadDataFile(f"{p} does not exist", "check the path of the job advert or CV") from None
        except OSError as exc:
            raise BadDataFile(f"cannot read {p}: {exc.strerror}", "check the path of the job advert or CV") from None
        if stat.S_ISDIR(st.st_mode):
            raise BadDataFile(f"{p} is a folder", "give the path of a text, Markdown or PDF file")
        if stat.S_ISFIFO(st.st_mode):
            data = _read_pipe(p)
        elif not stat.S_ISREG(st.st_mode):  # a device would be read forever (/dev/zero), a socket cannot be
            kind = "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket" if \
                stat.S_ISSOCK(st.st_mode) else "not a regular file"
            raise BadDataFile(f"{p} is {kind}, not a document", "give the path of a text, Markdown or PDF file")
        else:
            if st.st_size > MAX_BYTES:
                raise BadDataFile(f"{p.name} is {st.st_size / 1e6:.1f} MB, too large for a job advert or CV",
                                  f"give a document under {MAX_BYTES // 1_000_000} MB (the text of the advert)")
            try:
                with open(p, "rb") as f:
                    data = f.read(MAX_BYTES + 1)
            except PermissionError:
                raise BadDataFile(f"{p}: permission denied", f"make it readable: chmod a+r {p}") from None
            except OSError as exc:
                raise BadDataFile(f"cannot read {p}: {exc.strerror}", "check the disk and the file") from None
    if len(data) > MAX_BYTES:
        raise BadDataFile(f"{name} is too large for a job advert or CV", "give the text of the advert (a few pages)")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise BadDataFile(f"{name} is empty", "give a job advert or CV with some text in it")
    text = _pdf_text(data, name) if data[:5] == b"%PDF-" else _decode(data, name)
    if len(_TOKEN.findall(text)) < 5:
        raise BadDataFile(f"{name} has almost no words", "give the whole job advert or CV")
    return text


def _read_pipe(p: Path) -> bytes:
    """A named pipe's bytes up to ``MAX_BYTES + 1``, giving up after ``PIPE_TIMEOUT_S`` of silence. Opened
    without waiting for a writer: with none, the pipe reads as empty at once instead of hanging."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise BadDataFile(f"cannot read {p}: {exc.strerror}", "check the path of the job advert or CV") from None
    chunks, total = [], 0
    try:
        while total <= MAX_BYTES:
            try:
                chunk = os.read(fd, 65536)  # with no writer at all: b"" at once (select would not wake)
            except BlockingIOError:  # a writer, with nothing sent yet
                if not select.select([fd], [], [], PIPE_TIMEOUT_S)[0]:
                    raise BadDataFile(f"{p} is a named pipe that sent nothing for {PIPE_TIMEOUT_S:.0f} s",
                                      "give the advert as a file, "
                                      "or make sure the program writing to it runs") from None
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if not chunks:
        raise BadDataFile(f"{p} is a named pipe with nothing written to it (no program is writing to it)",
                          "give the advert as a file, or start the program that writes to the pipe first")
    return b"".join(chunks)


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode(data: bytes, name: str) -> str:
    """Text in UTF-8, UTF-16/32 (a byte-order mark, or the zero bytes of ASCII text in UTF-16) or
    Windows-1252; anything else is named and refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name)
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > 0.3 * len(head) / 2 and min(even, odd) < 0.05 * len(head) / 2:
            return _strict(data, "utf-16-be" if even > odd else "utf-16-le", name)
        raise BadDataFile(f"{name} is not a text, Markdown or PDF document{_looks_like(head)}", _NOT_TEXT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace").replace("\ufffd", "")
    if sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
        raise BadDataFile(f"{name} is not a text, Markdown or PDF document{_looks_like(head)}", _NOT_TEXT)
    return text


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise BadDataFile(f"{name} says it is {encoding.upper().replace('-SIG', '')} text but is damaged",
                          _NOT_TEXT) from None
    return text.lstrip("\ufeff")


def _looks_like(head: bytes) -> str:
    """" (it looks like a ZIP archive ...)" when the first bytes say what the file is."""
    kinds = {b"PK\x03\x04": "a ZIP archive: a Word .docx or an OpenDocument file? save it as PDF or text",
             b"\xd0\xcf\x11\xe0": "an old Word .doc file? save it as PDF or text",
             b"\x89PNG": "a PNG image",
             b"\xff\xd8\xff": "a JPEG image", b"\x7fELF": "a program"}
    for magic, kind in kinds.items():
        if head.startswith(magic):
            return f" (it looks like {kind})"
    return ""


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
        raise BadDataFile(f"{name} is a damaged PDF ({str(exc)[:80]})",
                          "export the document as PDF again, or as text") from None
    if len(_TOKEN.findall(text)) < 5:
        raise BadDataFile(f"{name} is a PDF with no text layer (a scan or an image)",
                          "give a PDF with selectable text, or paste the text into a .txt file")
    return text


ENGLISH_SHARE = 0.15
"""An English text has about a third of its words among English's 200 commonest (adverts measured: 0.3-0.4);
French, German and Spanish adverts have under 0.05."""


def english_note(text: str, what: str = "the job advert") -> str | None:
    """A note when ``text`` does not look like English (too few of its words are common English words), for
    the candidate to see: key terms, questions and the transcription are made for English."""
    from wordfreq import top_n_list

    words = [w.lower() for w in TOKEN.findall(text)]
    if len(words) < 20:
        return None
    common = set(top_n_list("en", 200))
    share = sum(w in common for w in words) / len(words)
    if share >= ENGLISH_SHARE:
        return None
    return (f"{what} does not look like English ({share:.0%} of its words are common English words, against about "
            "a third in English): voicecoach reads English documents only, so its key terms and the questions made "
            "from them may be odd; interviews are held and judged in English")
