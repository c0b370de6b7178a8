"""Where the editable data lives (``prompts/``) and how its TOML files are read and checked.

``prompts/`` holds the rubric, the question bank, the interviewer's lines and the voice commands. A
coach edits them without touching Python, so every problem is reported with the file, the entry and
the fix. In a source checkout the folder sits beside the package; an installed wheel carries it as
``voicecoach/_prompts``; ``$VOICECOACH_PROMPTS`` points elsewhere.
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

import tomllib

from .errors import BadDataFile

__all__ = ["prompts_dir", "read_toml", "check_template", "TableReader", "phrase_regex", "compile_any"]

_GAP = r"[\s,.;:!?\"'-]+"
"""What may stand between the words of a phrase (Whisper transcripts may have no punctuation)."""

_PACKAGE = Path(__file__).resolve().parent


def prompts_dir() -> Path:
    """``$VOICECOACH_PROMPTS``, the checkout's ``prompts/``, or the copy installed with the package.

    Raises:
        BadDataFile: ``$VOICECOACH_PROMPTS`` names a folder that does not exist.
    """
    env = os.environ.get("VOICECOACH_PROMPTS")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise BadDataFile(f"VOICECOACH_PROMPTS points to {path}, which is not a folder",
                              "set VOICECOACH_PROMPTS to a prompts folder (a copy of the project's prompts/), "
                              "or unset it")
        return path
    for candidate in (_PACKAGE.parent / "prompts", _PACKAGE / "_prompts"):
        if (candidate / "rubric").is_dir():
            return candidate
    raise BadDataFile(f"voicecoach's prompts folder is missing (looked in {_PACKAGE.parent} and {_PACKAGE})",
                      "reinstall voicecoach, or set VOICECOACH_PROMPTS to a prompts folder")


def read_toml(path: Path) -> dict:
    """A TOML file as a dict, or ``BadDataFile`` naming the file and the problem."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadDataFile(f"{path} is missing") from None
    except IsADirectoryError:
        raise BadDataFile(f"{path} is a folder, not a TOML file", f"remove or rename the folder {path.name}") from None
    except PermissionError:
        raise BadDataFile(f"{path}: permission denied", f"make it readable: chmod a+r {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadDataFile(f"{path.name}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise BadDataFile(f"{path.name}: not UTF-8 text") from None


def check_template(where: str, text: object, allowed: set[str] | frozenset[str]) -> str:
    """``text`` if it is a non-empty string whose ``{placeholders}`` are all in ``allowed``.

    Raises:
        BadDataFile: ``where`` (``file: key``) names the entry; the message lists what is allowed.
    """
    if not isinstance(text, str) or not text.strip():
        raise BadDataFile(f"{where}: must be a non-empty string")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise BadDataFile(f"{where}: {exc} (write a literal brace as {{{{ or }}}})") from None
    unknown = fields - set(allowed)
    if unknown:
        offer = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
        raise BadDataFile(f"{where}: unknown placeholder {{{sorted(unknown)[0]}}} (this line offers: {offer})")
    return text


class TableReader:
    """Typed access to a TOML table that reports problems with the file and entry named."""

    def __init__(self, path: Path, where: str, table: dict) -> None:
        self.path, self.where, self.table = path, where, table

    def fail(self, problem: str):
        """Raise ``BadDataFile`` naming the file and the entry."""
        raise BadDataFile(f"{self.path.name}: {self.where}: {problem}")

    def get(self, key: str, kind, default=..., nonempty: bool = True):
        """``table[key]`` checked to be of ``kind`` (``default`` when absent; required when no default)."""
        if key not in self.table:
            if default is ...:
                self.fail(f"missing key '{key}'")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.fail(f"'{key}' must be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
        if nonempty and isinstance(value, (str, list)) and not value:
            self.fail(f"'{key}' is empty")
        return value

    def strings(self, key: str, default=...) -> list[str]:
        """A list of non-empty strings, whitespace normalised."""
        values = self.get(key, list, default, nonempty=default is ...)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"'{key}' item {i + 1} must be a non-empty string")
        return [" ".join(v.split()) for v in values]

    def regex(self, phrases_key: str = "phrases", patterns_key: str = "patterns", required: bool = False):
        """One regex from a phrase list and a pattern list; patterns that match an empty string are refused."""
        phrases = self.strings(phrases_key, [])
        patterns = self.strings(patterns_key, [])
        if required and not phrases and not patterns:
            self.fail(f"needs '{phrases_key}' or '{patterns_key}'")
        for p in patterns:
            try:
                rx = re.compile(p)
            except re.error as exc:
                self.fail(f"pattern {p!r} is not a valid regular expression ({exc})")
            if rx.search(""):
                self.fail(f"pattern {p!r} matches an empty string, so it would match every answer")
        return compile_any(phrases, patterns)

    def unknown(self, allowed: set[str]) -> None:
        """Refuse keys not in ``allowed`` (a misspelt key would otherwise be ignored silently)."""
        extra = sorted(set(self.table) - allowed)
        if extra:
            self.fail(f"unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})")


def phrase_regex(phrase: str) -> str:
    """A regex for one rubric phrase: words in order, any gap between them, ``word*`` for endings."""
    parts = []
    for token in phrase.lower().split():
        if token.endswith("*") and len(token) > 1:
            parts.append(re.escape(token[:-1]) + r"[\w'-]*")
        else:
            parts.append(re.escape(token))
    return r"(?<![\w])" + _GAP.join(parts) + r"(?![\w])"


def compile_any(phrases: list[str] = (), patterns: list[str] = ()) -> re.Pattern | None:
    """One case-insensitive regex matching any phrase or pattern; None when both are empty."""
    alts = [phrase_regex(p) for p in phrases] + [f"(?:{p})" for p in patterns]
    if not alts:
        return None
    return re.compile("|".join(alts), re.IGNORECASE)
