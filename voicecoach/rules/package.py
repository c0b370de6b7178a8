"""Does the candidate negotiate their own package? Judged sentence by sentence, with the next one.

A stretch is package talk when it names the package (pay, base, band or grade, level, title,
commission, bonus, a raise or review, sign-on or retention money, relocation, allowances, equity,
promotion or "moving up", a pay floor) *and* the candidate asks about it or sets a condition on it
("what band would I start on", "I'd want it at senior level", "I couldn't move for less than I'm on
now", "the offer would need to reflect..."), in that sentence or the next. It is not package talk
when the candidate refuses or defers the subject ("I'm not here to talk salary", "I'll leave that
with the agency"), denies money as a motive, talks about pay as the subject of the work (a bonus
scheme, a payroll run, pay rates in a variance), or states a past promotion or a present title.

The phrase lists are in ``prompts/rubric/flags.toml`` under the flag of kind ``package``; the
sentence-meaning check (sentences like the flag's examples) is added by the evaluator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import is_question
from .rubric import FlagRule
from .text import Span

__all__ = ["PackageHit", "package_talk"]

_SENTENCE_END = re.compile(r"[.?!]")
# A promotion asked for on a timeline is the candidate's own: "is there a route up within the year?"
_TIMELINE = re.compile(r"\b(?:within|how soon|how long|how quickly|by the end of|in (?:a|one|two|three|the first) "
                       r"(?:year|years|months))\b", re.IGNORECASE)
_THIRD_PARTY = re.compile(r"\b(?:his|her|their|its|(?:the|a|our|my) (?:client|customer|patient|family|staff|team|"
                          r"driver|employee|people|member|resident|tenant)s?'s?|(?:clients|customers|drivers|"
                          r"employees|staff|people|members)'|everyone'?s|people'?s)\s+(?:\w+\s+){0,2}$",
                          re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'?d|id|i'?m|im|i'?ll|i'?ve|ive)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PackageHit:
    """Where the candidate negotiates, and why it counts."""

    span: Span
    """The sentence (and the next, when the ask is there) quoting the negotiation."""
    term: str
    cue: str


def _any(rx: re.Pattern | None, text: str) -> re.Match | None:
    return rx.search(text) if rx is not None else None


def package_talk(text: str, units: list[Span], rule: FlagRule) -> list[PackageHit]:
    """Every stretch of ``text`` (cut into ``units``) where the candidate negotiates the package."""
    lists = rule.lists
    hits: list[PackageHit] = []
    for i, u in enumerate(units):
        money = list(lists["terms"].finditer(u.text))
        progression = list(lists["progression"].finditer(u.text)) if "progression" in lists else []
        if not (money or progression) or _any(lists.get("refusals"), u.text):
            continue
        kept = []
        for m in money + progression:
            before, after = u.text[:m.start()], u.text[m.end():]
            if _THIRD_PARTY.search(before[-30:]):
                continue  # "the hourly rate in his budget", "her promotion": someone else's pay
            if _any(lists.get("work"), before[-40:] + " @ " + after[:40]) and not _any(lists.get("conditions"), u.text):
                continue
            kept.append(m)
        if not kept:
            continue
        mine = bool(_FIRST_PERSON.search(u.text) or _TIMELINE.search(u.text))
        if not mine and not any(m in money for m in kept):
            continue  # "how do people progress here?" asks how it works, not for a promotion
        nxt = units[i + 1] if i + 1 < len(units) else None
        cue = _any(lists.get("conditions"), u.text) or _any(lists["asks"], u.text)
        span = u
        for prev in reversed(units[max(0, i - 2):i]):
            # "I want a bigger team | and a manager title", "one thing I'd want to understand | is how the
            # commission plan works": the ask is earlier in the same sentence.
            if cue is not None or _SENTENCE_END.search(text, prev.end, u.start) or _any(lists.get("refusals"), prev.text):
                break
            cue = _any(lists.get("conditions"), prev.text) or _any(lists["asks"], prev.text)
            if cue is not None:
                span = Span(prev.start, u.end, text[prev.start:u.end])
        if cue is None and is_question(u.text):
            cue = kept[0]
        if cue is None and nxt is not None and not _any(lists.get("refusals"), nxt.text):
            cue = _any(lists.get("conditions"), nxt.text) or _any(lists["asks"], nxt.text)
            if cue is not None:
                span = Span(u.start, nxt.end, text[u.start:nxt.end])
        if cue is None:
            continue
        if _any(lists.get("past"), u.text) and not _any(lists.get("conditions"), span.text):
            continue
        hits.append(PackageHit(span, kept[0].group(), cue.group()))
    return hits
