"""Finding an occupation by the name people use: "staff nurse", "RN", "lorry driver", "chef de partie".

Names are compared after folding case, punctuation and plurals ("Registered Nurses" is "registered nurse");
a longer title that contains a known name finds it ("senior staff nurse on a surgical ward" is a staff
nurse); and a near spelling finds the name it is near ("electritian"). An unknown name is an
``UnknownRole`` that lists the closest occupations.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import UnknownRole

__all__ = ["Occupation", "normalize", "find_occupation", "closest", "occupation_in_text"]

_NON_WORD = re.compile(r"[^a-z0-9+]+")
_SPELLING = 0.86
"""How alike (difflib's ratio) a name must be to count as a misspelling of a known one."""


@dataclass(frozen=True)
class Occupation:
    """An occupation of the bank and the names people use for it."""

    id: str
    """The ``role`` of its file (``--role`` accepts it, its title and its aliases)."""
    title: str
    sector: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it answers to: id, title, aliases."""
        return (self.id, self.title, *self.aliases)

    def to_dict(self) -> dict:
        """JSON form."""
        return {"id": self.id, "title": self.title, "sector": self.sector, "aliases": list(self.aliases)}


def _fold_word(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def normalize(name: str) -> str:
    """Lower case, ``&`` as "and", punctuation as spaces, plurals folded: the form names are compared in."""
    words = _NON_WORD.sub(" ", name.lower().replace("&", " and ").replace("'", "")).split()
    return " ".join(_fold_word(w) for w in words)


def _names(occupations: dict[str, Occupation]) -> dict[str, Occupation]:
    return {normalize(n): o for o in occupations.values() for n in o.names}


def _contained(text: str, names: dict[str, Occupation]) -> Occupation | None:
    """The occupation of the longest known name found, as whole words, in ``text`` (normalised)."""
    padded = f" {text} "
    # Short abbreviations ("pc", "ta", "rn") are too often other words inside a longer text.
    found = [(len(n), o) for n, o in names.items() if len(n) >= 4 and f" {n} " in padded]
    if not found:
        return None
    best = max(k for k, _ in found)
    winners = {o.id: o for k, o in found if k == best}
    return next(iter(winners.values())) if len(winners) == 1 else None


def find_occupation(name: str, occupations: dict[str, Occupation]) -> Occupation:
    """The occupation ``name`` stands for.

    Raises:
        UnknownRole: nothing matches; the message names the closest occupations.
    """
    key = normalize(name)
    names = _names(occupations)
    if key in names:
        return names[key]
    if key:
        inside = _contained(key, names)
        if inside is not None:
            return inside
        near = difflib.get_close_matches(key, list(names), n=1, cutoff=_SPELLING)
        if near:
            return names[near[0]]
    close = closest(name, occupations)
    hint = ", ".join(f"{o.title} ({o.id})" for o in close) if close else ""
    raise UnknownRole(name, close, f"the closest: {hint}; `voicecoach questions --roles` lists them all"
                      if hint else "`voicecoach questions --roles` lists the occupations")


def closest(name: str, occupations: dict[str, Occupation], n: int = 3) -> list[Occupation]:
    """Up to ``n`` occupations whose names are most like ``name`` (by spelling and by shared words)."""
    key = normalize(name)
    words = set(key.split())
    scored: dict[str, float] = {}
    for n_, o in _names(occupations).items():
        spelling = difflib.SequenceMatcher(None, key, n_).ratio()
        score = spelling if spelling >= 0.75 else 0.0  # spelt alike ("electritian"), not just sharing letters
        shared = words & set(n_.split())
        if shared:
            score = max(score, 0.5 + 0.5 * len(shared) / max(len(words), 1))
        scored[o.id] = max(scored.get(o.id, 0.0), score)
    ranked = sorted(scored, key=lambda i: -scored[i])
    return [occupations[i] for i in ranked[:n] if scored[i] >= 0.6]


def occupation_in_text(text: str, occupations: dict[str, Occupation]) -> Occupation | None:
    """The occupation named in a job title or a line of an advert ("Staff Nurse - Ward 7"), if any."""
    return _contained(normalize(text), _names(occupations))
