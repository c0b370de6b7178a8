"""Does the candidate negotiate their own package? Judged clause by clause, with the next one.

A stretch is package talk when it names the package (pay, base, band or grade, level, title,
commission, bonus, a raise or review, a shift or night rate, sign-on or retention money, relocation,
allowances, equity, promotion or "moving up", a pay floor) *and* the candidate asks about it or sets a
condition on it ("what band would I start on", "is there any flex on the night rate", "I couldn't move
for less than I'm on now", "the offer would need to reflect..."), in that clause, an earlier clause of the
same sentence, or the next. A promise with a deadline asked for ("I'd want that promised in writing
within two years") is progression talk even without naming the rank.

It is not package talk when the candidate refuses or defers the subject ("I'm not here to talk salary",
"I'll leave that with the agency"), gives money as a plain motive ("I need the money, honestly"), names
the post itself ("I'm applying for this Band 5 post") or a qualification they are working towards ("do my
Level 3"), talks about pay as the subject of the work (a bonus scheme, a payroll run, a result in pounds
saved), someone else's pay, or states a past promotion or a present title.

The phrase lists are in ``prompts/rubric/flags.toml`` under the flag of kind ``package``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import is_question
from .numbers import CHANGE_RE
from .rubric import FlagRule
from .text import Span

__all__ = ["PackageHit", "package_talk"]

_SENTENCE_END = re.compile(r"[.?!]")
# A promotion asked for on a timeline is the candidate's own: "is there a route up within the year?"
_TIMELINE = re.compile(r"\b(?:within|how soon|how long|how quickly|by the end of|in (?:a|one|two|three|the first) "
                       r"(?:year|years|months))\b", re.IGNORECASE)
_THIRD_PARTY = re.compile(r"\b(?:his|her|their|its|each other'?s|one another'?s|(?:the|a|our|my) "
                          r"(?:client|customer|patient|"
                          r"family|staff|team|driver|employee|people|member|resident|tenant|pupil|student)s?'s?|(?:clients|"
                          r"customers|drivers|employees|staff|people|members|pupils|students)'|everyone'?s|people'?s)\s+"
                          r"(?:\w+\s+){0,2}$", re.IGNORECASE)
_OTHERS_MOVED = re.compile(r"\b(?:newly|recently)\s+$", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'?d|id|i'?m|im|i'?ll|i'?ve|ive)\b", re.IGNORECASE)
# Asking the employer about its pay ("what do you pay", "is the £38k the starting point?") needs no "I".
_TO_EMPLOYER = re.compile(r"\b(?:you|your|you'?re|here)\b", re.IGNORECASE)
_RANKED = re.compile(r"(?:level|band|grade)\b", re.IGNORECASE)
# A question inside a clause, as speech recognisers write it (no question mark, no capital): "the advert said
# £42k is there any room to move on that figure".
_ASKED_INSIDE = re.compile(r"\b(?:is there|are there|is it|what'?s|what is|what are|how much|do you|does it|would i|"
                           r"could i|can i|will i)\b", re.IGNORECASE)
LOOKAHEAD = 3
"""How many clauses after a package term its ask may come in."""
# ...and the stricter form that is an ask by itself, beside a package term: "would it go up to a five".
_ASKS_INSIDE = re.compile(r"\b(?:is there|are there|would it|will it|could it|would this|would that|does that|do you|"
                          r"would you|could you|would i|could i|can i|will i|if you pay)\b", re.IGNORECASE)
_IF_CLAUSE = re.compile(r"\s*(?:and |but |so )?(?:if|provided|as long as|assuming)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:k|grand|thousand)\b|\b(?:thousand|grand)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PackageHit:
    """Where the candidate negotiates, and why it counts."""

    span: Span
    """The clause (and the next, when the ask is there) quoting the negotiation."""
    term: str
    cue: str


def _any(rx: re.Pattern | None, text: str) -> re.Match | None:
    return rx.search(text) if rx is not None else None


def _inside(at: tuple[int, int], rx: re.Pattern | None, text: str) -> bool:
    """True when the stretch ``at`` (start, end) of ``text`` lies inside a match of ``rx``."""
    return rx is not None and any(o.start() <= at[0] and at[1] <= o.end() for o in rx.finditer(text))


def _kept_terms(text: str, unit: Span, lists: dict) -> tuple[list[re.Match], list[re.Match]]:
    """The package terms of ``unit`` that are the candidate's own package: (money terms, progression)."""
    u = unit.text
    money = list(lists["terms"].finditer(u))
    progression = list(lists["progression"].finditer(u)) if "progression" in lists else []
    # The post or a qualification may run past the clause: "the level 3, is that something the garage sends
    # people on"; they are looked for in a window around it.
    lo = max(0, unit.start - 60)
    window = text[lo:unit.end + 60]
    kept_money, kept_prog = [], []
    for m in money + progression:
        before, after = u[:m.start()], u[m.end():]
        if _THIRD_PARTY.search(before[-30:]):
            continue  # "the hourly rate in his budget", "her promotion": someone else's pay
        if _any(lists.get("work"), before[-40:] + " @ " + after[:40]) and not _any(lists.get("conditions"), u):
            continue
        if m in progression and _OTHERS_MOVED.search(before):
            continue  # "how it supports newly promoted nurses": other people's promotions
        at = (unit.start - lo + m.start(), unit.start - lo + m.end())
        if _inside(at, lists.get("post"), window) or _inside(at, lists.get("learning"), window):
            continue  # the post applied for ("this Band 5 post"), a qualification ("do my Level 3")
        ranked_result = _RANKED.match(m.group()) and not _FIRST_PERSON.search(u)
        if m in money and (_AMOUNT.search(m.group()) or ranked_result) and CHANGE_RE.search(u):
            continue  # a result: "waste fell to £500 a week", "the mocks went from 44% at grade four"
        (kept_money if m in money else kept_prog).append(m)
    return kept_money, kept_prog


def _ends_as_question(text: str, u: Span) -> bool:
    """True when the sentence ``u`` is in ends with a question mark ("would this role be paid on the award,
    and is super on top?")."""
    end = _SENTENCE_END.search(text, u.end)
    return end is not None and end.group() == "?"


def _sentence_of(text: str, u: Span) -> str:
    """The whole sentence ``u`` is in."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, u.start)]
    end = _SENTENCE_END.search(text, u.end)
    return text[ends[-1] if ends else 0:end.end() if end else len(text)]


def _sentence_up_to(text: str, u: Span) -> str:
    """The sentence ``u`` is in, from its start to the end of ``u``."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, u.start)]
    return text[ends[-1] if ends else 0:u.end]


def _cue(text: str, lists: dict, progression: bool) -> re.Match | None:
    """The ask or condition in ``text``; a bare timeline ("within a year") asks only about progression."""
    cue = _any(lists.get("conditions"), text) or _any(lists["asks"], text)
    if cue is not None and not progression and _TIMELINE.fullmatch(cue.group().strip()):
        return None
    return cue


def package_talk(text: str, units: list[Span], rule: FlagRule) -> list[PackageHit]:
    """Every stretch of ``text`` (cut into ``units``) where the candidate negotiates the package."""
    lists = rule.lists
    hits: list[PackageHit] = []
    for i, u in enumerate(units):
        if _any(lists.get("refusals"), u.text):
            continue
        promise = _any(lists.get("guarantees"), u.text)
        sentence = _sentence_of(text, u)
        if promise and _TIMELINE.search(sentence) and _FIRST_PERSON.search(sentence) and _cue(sentence, lists, True):
            hits.append(PackageHit(u, promise.group(), promise.group()))  # "I'd want that promised within two years"
            continue
        money, progression = _kept_terms(text, u, lists)
        if not (money or progression):
            continue
        kept = money + progression
        nxt = units[i + 1] if i + 1 < len(units) else None
        asks_next = nxt is not None and is_question(nxt.text) and not _any(lists.get("refusals"), nxt.text)
        asking = is_question(u.text) or _ends_as_question(text, u) or asks_next or bool(_ASKED_INSIDE.search(u.text))
        sentence = _sentence_up_to(text, u)
        same_sentence_next = nxt is not None and not _SENTENCE_END.search(text, u.end, nxt.start)
        # "But it'd need to be the head chef title, because I've been doing the job": the "I" may follow.
        mine = bool(_FIRST_PERSON.search(sentence) or _TIMELINE.search(u.text)
                    or (same_sentence_next and _FIRST_PERSON.search(nxt.text)))
        if not mine and not money:
            continue  # "how do people progress here?" asks how it works, not for a promotion
        if not mine and not (asking or _TO_EMPLOYER.search(sentence)):
            continue  # "eleven of the fourteen moved up a grade": nobody's package is asked for
        cue = _cue(u.text, lists, bool(progression))
        span = u
        for prev in reversed(units[max(0, i - 2):i]):
            # "I want a bigger team | and a manager title", "one thing I'd want to understand | is how the
            # commission plan works": the ask is earlier in the same sentence.
            if (cue is not None or _SENTENCE_END.search(text, prev.end, u.start)
                    or _any(lists.get("refusals"), prev.text)):
                break
            cue = _cue(prev.text, lists, bool(progression))
            if cue is not None:
                span = Span(prev.start, u.end, text[prev.start:u.end])
        if cue is None and (is_question(u.text) or _ends_as_question(text, u) or _ASKS_INSIDE.search(u.text)):
            cue = kept[0]
        # The ask may come in the next clauses of the same sentence ("if you can do a notice period buyout, I
        # can join in thirty, so kindly let me know if that is possible"; "do me £17 an hour and Saturdays at
        # time and a half and I'm yours"), or open the next sentence ("...the unsocial hours enhancement,
        # because I do a lot of weekends. Would you pay time and a third on Sundays?").
        crossed = False
        for k, later in enumerate(units[i + 1:i + 1 + LOOKAHEAD]):
            if cue is not None or _any(lists.get("refusals"), later.text):
                break
            if _SENTENCE_END.search(text, units[i + k].end, later.start):
                if crossed or (k and not is_question(later.text)):
                    break  # a later sentence counts only when it opens right after, or asks
                crossed = True
            elif crossed:
                break  # past the first clause of the next sentence
            cue = _cue(later.text, lists, bool(progression)) or (kept[0] if k == 0 and asks_next else None)
            if cue is not None and k and not (is_question(later.text) or _any(lists.get("conditions"), later.text)
                                              or _IF_CLAUSE.match(u.text)):
                # Two clauses on, only a condition or a question still reaches back ("if you can do a notice
                # period buyout, I can join in thirty, so kindly let me know if that is possible"): "acting up
                # as a Band 6 on nights, I've led two inspections, and I want to keep developing the nurses"
                # asks nothing.
                cue = None
            if cue is not None:
                span = Span(u.start, later.end, text[u.start:later.end])
        if cue is None:
            continue
        if _any(lists.get("motive"), span.text) and not _any(lists.get("conditions"), span.text):
            continue  # "I need the money, honestly": a motive, nothing asked
        if _any(lists.get("past"), u.text) and not _any(lists.get("conditions"), span.text):
            continue
        hits.append(PackageHit(span, kept[0].group(), cue.group()))
    return hits
