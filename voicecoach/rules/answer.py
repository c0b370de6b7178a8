"""What an answer is as a whole: who it is about, whether it tells a story, how much it measures.

Sentence signals say what each sentence carries; these say what the whole answer is like, which is
where "the people the job serves are the job" is decided: an answer about handling patients, pupils or
customers is the trade's skill (the hiring manager's), one about colleagues is team chemistry (HR's).
The word lists are in ``prompts/rubric/who.toml``.

Every feature is a share of the answer's words or sentences, between 0 and 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..prompts import TableReader, prompts_dir, read_toml

__all__ = ["ANSWER_FEATURES", "Who", "load_who", "answer_features"]

ANSWER_FEATURES = ("me_share", "we_share", "served_share", "colleagues_share", "story_share", "numbers_share")
"""``me_share``/``we_share``: first person singular / plural words per word (x10, capped at 1);
``served_share``/``colleagues_share``: mentions of the people served / of colleagues per word (x20, capped);
``story_share``: words in the past tense per word (x5, capped); ``numbers_share``: numbers per word (x20)."""

_WORD = re.compile(r"[a-z0-9][a-z0-9'’]*", re.IGNORECASE)
_ME = frozenset("i i'm im i've ive i'd id i'll me my mine myself".split())
_WE = frozenset("we we're we've we'd we'll our ours us ourselves".split())
_IRREGULAR_PAST = frozenset(
    "was were had did went got made took came saw said told found gave kept left felt thought brought bought ran "
    "sat stood spoke caught held put set rang knew wrote began became sent spent met led lost paid built taught "
    "heard understood".split())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?%?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty|thirty|forty|fifty|sixty|hundred|thousand|half|third|quarter|percent|dozen)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Who:
    """The word lists of ``who.toml``."""

    served: re.Pattern
    colleagues: re.Pattern


def load_who(path: str | Path | None = None) -> Who:
    """Read ``who.toml``.

    Raises:
        BadDataFile: the file is missing or a list is malformed.
    """
    path = Path(path) if path else prompts_dir() / "rubric" / "who.toml"
    top = TableReader(path, "top level", read_toml(path))
    top.unknown({"served", "colleagues", "served_patterns", "colleagues_patterns"})
    return Who(top.regex("served", "served_patterns", required=True),
               top.regex("colleagues", "colleagues_patterns", required=True))


@lru_cache(maxsize=4)
def _default_who(folder: str) -> Who:
    return load_who(Path(folder) / "who.toml")


def answer_features(text: str, folder: Path | None = None) -> dict[str, float]:
    """The whole-answer features of ``text`` (see ``ANSWER_FEATURES``)."""
    who = _default_who(str(folder or prompts_dir() / "rubric"))
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    n = max(len(words), 1)
    past = sum(w in _IRREGULAR_PAST or (len(w) > 3 and w.endswith("ed")) for w in words)
    return {
        "me_share": min(1.0, 10 * sum(w in _ME for w in words) / n),
        "we_share": min(1.0, 10 * sum(w in _WE for w in words) / n),
        "served_share": min(1.0, 20 * len(who.served.findall(text)) / n),
        "colleagues_share": min(1.0, 20 * len(who.colleagues.findall(text)) / n),
        "story_share": min(1.0, 5 * past / n),
        "numbers_share": min(1.0, 20 * len(_NUMBER.findall(text)) / n),
    }
