"""Text from the command line and the keyboard, whatever the locale.

Python decodes arguments with the locale's encoding and keeps bytes it cannot decode as lone surrogates
("caf\\udce9" for a Latin-1 "café" typed in a UTF-8 shell). Such a string crashes the tokenizer, SQLite and
a UTF-8 terminal alike, so text arguments are repaired where they come in: the original bytes are taken
back and decoded as UTF-8 if they are UTF-8 (an ``LC_ALL=C`` shell), else as Windows-1252 (Latin-1 with
the curly quotes), which is what a single stray byte in a Western shell almost always is; a note says so.
"""

from __future__ import annotations

import os
import re

__all__ = ["repair", "text_argument", "notes"]

_SURROGATE = re.compile("[\udc80-\udcff]")

notes: list[str] = []
"""What was repaired, for the CLI to say once the arguments are parsed."""


def repair(text: str, what: str = "the text") -> str:
    """``text`` with undecodable bytes decoded (see the module docstring); unchanged when it has none."""
    if not _SURROGATE.search(text):
        return text
    raw = os.fsencode(text) if _encodable(text) else text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    fixed = raw.decode("cp1252", errors="replace")
    notes.append(f"{what} is not UTF-8 text: read it as Latin-1 (Windows-1252): {fixed[:60]!r}")
    return fixed


def _encodable(text: str) -> bool:
    try:
        os.fsencode(text)
        return True
    except UnicodeEncodeError:
        return False


def text_argument(what: str):
    """An argparse ``type`` for a text option: repaired (``repair``) and kept as given otherwise."""
    def convert(value: str) -> str:
        return repair(value, what)

    convert.__name__ = what  # argparse names the type in its own messages
    return convert
