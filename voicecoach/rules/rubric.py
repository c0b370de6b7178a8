"""Loading and validating the rubric files under ``prompts/rubric/``.

A coach edits these files; a mistake gets a message naming the file, the entry and the problem.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import BadDataFile
from .text import compile_any

__all__ = ["ROUNDS", "Signal", "RoundRubric", "FlagRule", "DeliveryNorms", "Rubric", "load_rubric", "prompts_dir"]

ROUNDS = ("hr", "hiring_manager")


def prompts_dir() -> Path:
    """``$VOICECOACH_PROMPTS`` or the project's ``prompts/`` folder."""
    env = os.environ.get("VOICECOACH_PROMPTS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class Signal:
    """Something a good answer for a round contains."""

    id: str
    label: str
    weight: float
    tip: str
    regex: re.Pattern | None
    min_matches: int = 1
    parts: dict[str, re.Pattern] = field(default_factory=dict)
    """For structure signals: named parts, each with its own phrases."""
    parts_needed: int = 0


@dataclass(frozen=True)
class RoundRubric:
    """The signals of one round."""

    round: str
    label: str
    pass_score: int
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class FlagRule:
    """Something an answer should not do."""

    id: str
    label: str
    rounds: tuple[str, ...]
    penalty: int
    disqualifies: bool
    tip: str
    regex: re.Pattern | None = None
    min_hits: int = 1
    min_words: int = 0
    lists: dict[str, re.Pattern] = field(default_factory=dict)
    """Extra named phrase lists (the package flag's terms, cues, work nouns...)."""


@dataclass(frozen=True)
class DeliveryNorms:
    """Pace, fillers, pauses and length norms."""

    min_wpm: float
    max_wpm: float
    tip_slow: str
    tip_fast: str
    filler_regex: re.Pattern
    max_fillers_per_minute: float
    filler_tip: str
    long_pause_s: float
    max_long_pauses: int
    pause_tip: str
    min_duration_s: float
    max_duration_s: float
    tip_short: str
    tip_long: str


@dataclass(frozen=True)
class Rubric:
    """Everything the evaluator needs."""

    rounds: dict[str, RoundRubric]
    flags: dict[str, FlagRule]
    delivery: DeliveryNorms


class _Reader:
    """Typed access to a TOML table that reports problems with the file and entry named."""

    def __init__(self, path: Path, where: str, table: dict) -> None:
        self.path, self.where, self.table = path, where, table

    def fail(self, problem: str):
        raise BadDataFile(f"{self.path.name}: {self.where}: {problem}")

    def get(self, key: str, kind, default=..., nonempty: bool = True):
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
        values = self.get(key, list, default)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"'{key}' item {i + 1} must be a non-empty string")
        return values

    def regex(self, phrases_key: str = "phrases", patterns_key: str = "patterns", required: bool = True):
        phrases = self.strings(phrases_key, [])
        patterns = self.strings(patterns_key, [])
        if required and not phrases and not patterns:
            self.fail(f"needs '{phrases_key}' or '{patterns_key}'")
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                self.fail(f"pattern {p!r} is not a valid regular expression ({exc})")
        return compile_any(phrases, patterns)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadDataFile(f"rubric file {path} is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadDataFile(f"{path.name}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise BadDataFile(f"{path.name}: not UTF-8 text") from None


def _load_round(path: Path) -> RoundRubric:
    data = _read_toml(path)
    top = _Reader(path, "top level", data)
    rnd = top.get("round", str)
    if rnd not in ROUNDS:
        top.fail(f"round {rnd!r} must be one of {', '.join(ROUNDS)}")
    signals, seen = [], set()
    raw_signals = top.get("signal", list)
    for i, raw in enumerate(raw_signals, 1):
        r = _Reader(path, f"signal #{i}", raw if isinstance(raw, dict) else {})
        sid = r.get("id", str)
        r.where = f"signal #{i} ({sid})"
        if sid in seen:
            r.fail("duplicate id")
        seen.add(sid)
        weight = r.get("weight", float)
        if weight <= 0:
            r.fail("'weight' must be positive")
        parts = {}
        if "parts" in raw:
            pr = _Reader(path, f"signal #{i} ({sid}) parts", r.get("parts", dict))
            parts = {name: compile_any(pr.strings(name)) for name in pr.table}
        regex = r.regex(required=not parts)
        parts_needed = r.get("parts_needed", int, len(parts))
        if parts and not 1 <= parts_needed <= len(parts):
            r.fail(f"'parts_needed' must be between 1 and {len(parts)}")
        signals.append(Signal(sid, r.get("label", str), weight, r.get("tip", str), regex,
                              r.get("min_matches", int, 1), parts, parts_needed))
    pass_score = top.get("pass_score", int)
    if not 0 < pass_score <= 100:
        top.fail("'pass_score' must be between 1 and 100")
    return RoundRubric(rnd, top.get("label", str), pass_score, tuple(signals))


_FLAG_LISTS = ("work_nouns", "work_modifiers", "cues", "deflections", "past_markers", "other_senses")


def _load_flags(path: Path) -> dict[str, FlagRule]:
    data = _read_toml(path)
    flags = {}
    for fid, raw in data.items():
        r = _Reader(path, f"flag [{fid}]", raw if isinstance(raw, dict) else {})
        if not isinstance(raw, dict):
            r.fail("must be a table")
        rounds = tuple(r.strings("rounds"))
        for rnd in rounds:
            if rnd not in ROUNDS:
                r.fail(f"round {rnd!r} must be one of {', '.join(ROUNDS)}")
        lists = {k: compile_any(r.strings(k)) for k in _FLAG_LISTS if k in raw}
        if "terms" in raw:
            lists["terms"] = r.regex("terms", "term_patterns")
        has_matcher = "phrases" in raw or "patterns" in raw
        if fid == "negotiates_package":
            for k in ("terms", "cues", "work_nouns"):
                if k not in lists:
                    r.fail(f"missing key '{k}'")
        flags[fid] = FlagRule(
            fid, r.get("label", str), rounds, r.get("penalty", int), r.get("disqualifies", bool), r.get("tip", str),
            r.regex(required=False) if has_matcher else None, r.get("min_hits", int, 1), r.get("min_words", int, 0),
            lists,
        )
    for needed in ("negotiates_package", "too_short"):
        if needed not in flags:
            raise BadDataFile(f"{path.name}: flag [{needed}] is missing")
    return flags


def _load_delivery(path: Path) -> DeliveryNorms:
    data = _read_toml(path)
    t = {k: _Reader(path, f"[{k}]", data.get(k) if isinstance(data.get(k), dict) else {})
         for k in ("pace", "fillers", "pauses", "length")}
    for k, r in t.items():
        if k not in data:
            r.fail("section is missing")
    f = t["fillers"]
    words = f.strings("words", [])
    filler = compile_any(words + f.strings("phrases", []))
    if filler is None:
        f.fail("needs 'words' or 'phrases'")
    return DeliveryNorms(
        t["pace"].get("min_words_per_minute", float), t["pace"].get("max_words_per_minute", float),
        t["pace"].get("tip_slow", str), t["pace"].get("tip_fast", str),
        filler, f.get("max_per_minute", float), f.get("tip", str),
        t["pauses"].get("long_pause_s", float), t["pauses"].get("max_long_pauses", int), t["pauses"].get("tip", str),
        t["length"].get("min_duration_s", float), t["length"].get("max_duration_s", float),
        t["length"].get("tip_short", str), t["length"].get("tip_long", str),
    )


def load_rubric(directory: str | Path | None = None) -> Rubric:
    """Load ``hr.toml``, ``hiring_manager.toml``, ``flags.toml`` and ``delivery.toml``.

    Raises:
        BadDataFile: a file is missing or malformed; the message names the file, entry and problem.
    """
    d = Path(directory) if directory else prompts_dir() / "rubric"
    rounds = {}
    for rnd in ROUNDS:
        rr = _load_round(d / f"{rnd}.toml")
        if rr.round != rnd:
            raise BadDataFile(f"{rnd}.toml: top level: 'round' is {rr.round!r} but the file is for {rnd!r}")
        rounds[rnd] = rr
    return Rubric(rounds, _load_flags(d / "flags.toml"), _load_delivery(d / "delivery.toml"))


@lru_cache(maxsize=4)
def default_rubric() -> Rubric:
    """The rubric from ``prompts/rubric``, loaded once."""
    return load_rubric()
