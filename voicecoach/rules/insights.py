"""Insight into the words a candidate uses: most-used words, repeats, hedges, talking points, job terms.

Per answer and per session, each with quoted evidence (exact slices of the transcript). Stop words come
from a list of common English words plus fillers; the hedges and talking-point cues are in
``prompts/insights.toml`` so a coach can edit them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..prompts import TableReader, prompts_dir, read_toml
from .text import Span

__all__ = ["Insights", "analyse_words", "session_insights", "InsightRules", "load_insight_rules", "terms_used"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
REPEAT_SPAN_WORDS = 12
"""A content word said again within this many words is a repeat."""


@dataclass(frozen=True)
class InsightRules:
    """The editable cues (``prompts/insights.toml``)."""

    hedges: re.Pattern
    talking_points: dict[str, re.Pattern]
    """Name (experience, skill, lesson, goal) -> cue."""
    stop_words: frozenset[str]


@dataclass(frozen=True)
class Insights:
    """What the words of one answer (or a session) show."""

    top_words: tuple[tuple[str, int], ...] = ()
    """Most-used content words with their counts."""
    repeats: tuple[Span, ...] = ()
    """A content word said again within a short span (the quote runs from the first to the second)."""
    hedges: tuple[Span, ...] = ()
    """Weak or hedging phrases ("I guess", "kind of")."""
    talking_points: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    """Covered talking points (experience, skill, lesson, goal) with the sentence that covers each."""
    job_terms_used: tuple[str, ...] = ()
    """The job advert's key terms the answer used."""

    def to_json(self) -> dict:
        """JSON form."""
        return {"top_words": [[w, n] for w, n in self.top_words],
                "repeats": [s.to_dict() for s in self.repeats], "hedges": [s.to_dict() for s in self.hedges],
                "talking_points": {k: [s.to_dict() for s in v] for k, v in self.talking_points.items()},
                "job_terms_used": list(self.job_terms_used)}

    @classmethod
    def from_json(cls, d: dict | None) -> "Insights | None":
        """Read the JSON form."""
        if not d:
            return None
        return cls(tuple((w, int(n)) for w, n in d.get("top_words", ())),
                   tuple(Span.from_dict(s) for s in d.get("repeats", ())),
                   tuple(Span.from_dict(s) for s in d.get("hedges", ())),
                   {k: tuple(Span.from_dict(s) for s in v) for k, v in d.get("talking_points", {}).items()},
                   tuple(d.get("job_terms_used", ())))


def load_insight_rules(path: Path | None = None) -> InsightRules:
    """Read ``prompts/insights.toml``."""
    path = path or prompts_dir() / "insights.toml"
    data = read_toml(path)
    top = TableReader(path, "top level", data)
    top.unknown({"hedges", "stop_words", "common_words", "talking_points"})
    points = TableReader(path, "[talking_points]", top.get("talking_points", dict))
    cues = {name: TableReader(path, f"[talking_points] {name}", {"phrases": points.strings(name)}).regex(required=True)
            for name in points.table}
    stop = {w.lower() for w in top.strings("stop_words", []) + top.strings("common_words", [])}
    return InsightRules(TableReader(path, "top level", {"phrases": top.strings("hedges")}).regex(required=True),
                        cues, frozenset(stop))


@lru_cache(maxsize=2)
def _rules() -> InsightRules:
    return load_insight_rules()


def _norm(word: str) -> str:
    w = word.lower().replace("’", "'").strip("'-")
    return w[:-2] if w.endswith("'s") else w


def terms_used(text: str, terms: list[str]) -> tuple[str, ...]:
    """The terms (job advert key terms) that ``text`` uses, allowing a plural or possessive."""
    low = " " + re.sub(r"[^a-z0-9+#]+", " ", text.lower()) + " "
    out = []
    for t in terms:
        key = re.sub(r"[^a-z0-9+#]+", " ", t.lower()).strip()
        if key and re.search(rf" {re.escape(key)}(?:s|es)? ", low):
            out.append(t)
    return tuple(out)


def analyse_words(text: str, sentences: list[Span] | None = None, job_terms: list[str] | None = None,
                  rules: InsightRules | None = None) -> Insights:
    """The insights of one answer."""
    from .text import units

    rules = rules or _rules()
    words = [(m.start(), m.end(), _norm(m.group())) for m in _WORD.finditer(text)]
    content = [(s, e, w) for s, e, w in words if w not in rules.stop_words and len(w) > 2]
    counts = Counter(w for _, _, w in content)
    top = tuple((w, n) for w, n in counts.most_common(5) if n > 1)
    repeats, last_seen = [], {}
    positions = {s: i for i, (s, _e, _w) in enumerate(words)}
    for s, e, w in content:
        i = positions[s]
        if w in last_seen and i - last_seen[w][0] <= REPEAT_SPAN_WORDS:
            first = last_seen[w][1]
            repeats.append(Span(first, e, text[first:e]))
        last_seen[w] = (i, s)
    hedges = tuple(Span(m.start(), m.end(), m.group()) for m in rules.hedges.finditer(text))
    sentences = sentences if sentences is not None else units(text)
    points = {}
    for name, rx in rules.talking_points.items():
        found = tuple(u for u in sentences if rx.search(u.text))[:2]
        if found:
            points[name] = found
    return Insights(top, tuple(repeats[:5]), hedges, points, terms_used(text, job_terms or []))


def session_insights(texts: list[str], rules: InsightRules | None = None) -> Insights:
    """The session's most-used words and hedge count (quotes are per answer)."""
    rules = rules or _rules()
    counts = Counter(w for t in texts for w in (_norm(m.group()) for m in _WORD.finditer(t))
                     if w not in rules.stop_words and len(w) > 2)
    return Insights(tuple((w, n) for w, n in counts.most_common(8) if n > 1))

