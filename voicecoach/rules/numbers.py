"""Quantities and results said in words or digits: "eighteen percent", "from twelve to two",
"eleven of the fourteen", "a third fewer", "halved", "£4k a month", "under twelve minutes".

A measured result is a change with a size (a quantity near a verb of change, "from X to Y", "N of M",
a fraction or multiple) or an outcome with a count ("no complaints since", "not a single missed
trunk"). Things that look like numbers but are not results are left out: "a hundred and ten
percent", years of experience, deadlines ("by Friday", "within two weeks"), team sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Quantity", "quantities", "result_phrases", "Result", "CHANGE_RE"]

_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 10**6, "m": 10**6, "billion": 10**9}
_FRACTIONS = {"half": 0.5, "a half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "two thirds": 2 / 3,
              "three quarters": 0.75, "a fifth": 0.2, "a tenth": 0.1}
_WORDNUM = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
# "a hundred and twenty", "twenty-seven", "1,250", "4.5", "£4k", "forty-odd", "a couple", "a dozen"
_NUMBER = (rf"(?:[£$€]\s?)?\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn)?\b"
           rf"|(?:(?:a|one|{_WORDNUM})[\s-]+(?:hundred|thousand|million)(?:[\s-]+and)?[\s-]*)?"
           rf"(?:{_WORDNUM})(?:[\s-]+(?:{_WORDNUM}))?(?:[\s-]+(?:hundred|thousand|grand|million))?(?:[\s-]odd)?\b"
           rf"|\ba (?:hundred|thousand|million|couple|dozen)\b|\bhundreds\b|\bthousands\b"
           rf"|\b(?:a|one|two|three) (?:quarters?|thirds?|fifths?|tenths?)\b|\b(?:a )?half\b")
NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
_PERCENT = re.compile(rf"(?:{_NUMBER})\s*(?:%|percent\b|per cent\b|percentage points?\b|points?\b)", re.IGNORECASE)
_CLICHE = re.compile(r"\b(?:a |one )?hundred (?:and )?ten (?:percent|per cent)|\b110\s*%|\ba hundred and ten\b"
                     r"|\bhundred percent\b|\b100\s*%", re.IGNORECASE)
_NOT_RESULTS = re.compile(
    r"\b(?:for|over|last|past|nearly|almost|about)\s+(?:the\s+)?(?:last\s+)?(?:" + _NUMBER + r")\s*(?:years?|yrs)\b"
    r"|(?:" + _NUMBER + r")\s*years?\s+(?:of\s+experience|in\s+(?:the\s+)?(?:job|trade|industry|role|sector)|ago)\b"
    r"|\b(?:by|before|until|till)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|the\s+deadline)\b"
    r"|\bwithin\s+(?:" + _NUMBER + r"|a|an)\s*(?:days?|weeks?|months?)\b(?!\s+(?:early|ahead))",
    re.IGNORECASE)

_CHANGE = re.compile(
    r"\b(?:reduc\w*|cut|cuts|drop\w*|fell|fall\w*|went (?:down|up|from)|go(?:ne)? (?:down|up|from)|rose|rise|ris\w+|"
    r"increas\w*|improv\w*|grew|grow\w*|sav\w*|shav\w*|brought (?:it |that |them )?(?:down|up)|took (?:it|that) from|"
    r"halv\w*|doubl\w*|tripl\w*|lower\w*|rais\w*|boost\w*|climb\w*|jump\w*|shrank|shrunk|down to|up to|came down|"
    r"fewer|higher|lower|faster|quicker|back (?:into|in|on|up)|recovered|won|closed|"
    r"beat|exceed\w*|ahead|early|passed|signed off|cleared|resolved|fixed|retained)\b", re.IGNORECASE)
CHANGE_RE = _CHANGE
"""Words of change or outcome ("cut", "went down", "fewer", "signed off"...)."""
_CHANGE_BEFORE = re.compile(
    r"\b(?:reduc\w*|cut|cuts|drop\w*|fell|fall\w*|went (?:down|up)|gone (?:down|up)|rose|ris\w+|increas\w*|"
    r"improv\w*|grew|grow\w*|sav\w*|shav\w*|halv\w*|lower\w*|boost\w*|climb\w*|jump\w*|shrank|shrunk|came down|"
    r"brought (?:it |that |them )?(?:down|up)|recovered|won|closed|beat|exceed\w*|up|down|now(?: \w+){0,2}?)"
    r"(?:\s+(?:it|that|them|the \w+|our \w+))?\s+(?:by\s+|to\s+|from\s+|about\s+|around\s+|roughly\s+|nearly\s+|"
    r"almost\s+|over\s+|under\s+|just\s+|another\s+|an extra\s+|like\s+)*$", re.IGNORECASE)
_COMPARATIVE_AFTER = re.compile(
    r"\s*(?:%|percent|per cent)?\s*(?:\w+\s+)?(?:fewer|less|more|faster|quicker|cheaper|lower|higher|early|earlier|"
    r"ahead|sooner|saved|off the|back (?:in|into)|under (?:budget|target|plan|forecast)|under(?=\s*(?:[,.;]|$)))\b",
    re.IGNORECASE)
_FROM_TO = re.compile(rf"\bfrom\s+(?:about\s+|around\s+|roughly\s+|like\s+)?(?:{_NUMBER})[^.?!]{{0,40}}?\bto\s+"
                      rf"(?:about\s+|around\s+|under\s+|over\s+|just\s+|like\s+)?(?:{_NUMBER}|zero|nothing|none)",
                      re.IGNORECASE)
_MONEY_RATE = re.compile(r"[£$€]\s?\d[\d,.]*\s?(?:k|m|bn)?\s+(?:a|an|per|every)\s+"
                         r"(?:week|month|year|quarter|shift|day)\b",
                         re.IGNORECASE)
_N_OF_M = re.compile(rf"(?:{_NUMBER})\s+(?:out\s+)?of\s+(?:the\s+|our\s+|my\s+)?(?:{_NUMBER})\b"
                     rf"|(?:{_NUMBER})\s+(?:[a-z]+\s+){{1,2}}out\s+of\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|"
                     rf"over\s+|some\s+|the\s+)?(?:{_NUMBER})\b", re.IGNORECASE)
_MULTIPLE = re.compile(r"\b(?:halved|doubled|tripled|quadrupled|cut (?:it |that |them )?in half|"
                       r"twice as (?:many|much|fast)|"
                       r"(?:a |one )?(?:third|quarter|fifth|half) "
                       r"(?:fewer|less|more|faster|quicker|cheaper|lower|higher)|"
                       r"by (?:a |one |two )?(?:half|third|quarter|thirds)|"
                       r"(?:two|three|four|five|ten) times (?:faster|quicker|more|as))\b", re.IGNORECASE)
_NONE_SINCE = re.compile(
    r"\b(?:no(?: more| further)?|zero|not a single|not one|haven't had (?:one|a single|another)|"
    r"havent had (?:one|a single|another)|never had (?:one|another)|nobody has|nobody's)\s+(?:\w+\s+){0,2}?"
    r"(?:complaints?|refusals?|errors?|incidents?|falls?|defects?|snags?|escalations?|infringements?|breaches?|"
    r"missed \w+|late \w+|repeat \w+|reopen\w*|returns?|sick days|accidents?|near misses|issues? since|"
    r"one since|problems? since|since)\b", re.IGNORECASE)
_ON_TIME = re.compile(r"\b(?:on time|on budget|under budget|ahead of (?:schedule|time)|\w+ (?:days?|weeks?) early|"
                      r"handed (?:it )?over early|came in under|"
                      r"clean (?:audit|inspection|report|check))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number as said, with where it is."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Result:
    """A stretch that states a result."""

    start: int
    end: int
    measured: bool
    """True for a result with a size (a number, a fraction, from-to, N of M)."""


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` (digits, number words, money), excluding the cliché "110 percent"."""
    cliches = [(m.start(), m.end()) for m in _CLICHE.finditer(text)]
    out = []
    for m in NUMBER_RE.finditer(text):
        if not m.group().strip() or any(a <= m.start() < b for a, b in cliches):
            continue
        if m.group().lower().strip() in ("one", "a couple", "a dozen") and not _PERCENT.match(text, m.start()):
            continue  # "one thing I'd say", "a couple of things": not quantities
        end = m.start() + len(m.group().rstrip())
        out.append(Quantity(m.start(), end, text[m.start():end]))
    return out


def result_phrases(text: str) -> list[Result]:
    """Stretches of ``text`` that state a result (measured or not)."""
    blocked = [(m.start(), m.end()) for m in [*_CLICHE.finditer(text), *_NOT_RESULTS.finditer(text)]]

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in blocked)

    out: list[Result] = []
    for rx in (_FROM_TO, _N_OF_M, _MULTIPLE, _MONEY_RATE):
        out += [Result(m.start(), m.end(), True) for m in rx.finditer(text) if free(m.start(), m.end())]
    for m in _PERCENT.finditer(text):
        if free(m.start(), m.end()):
            out.append(Result(m.start(), m.end(), True))
    for q in quantities(text):
        if not free(q.start, q.end):
            continue
        # The number is the size of a change ("dropped by a quarter", "cut it to five days", "up nine
        # percent") or of an outcome ("four days early", "two hours faster"), not just near a verb.
        before, after = text[max(0, q.start - 30):q.start], text[q.end:q.end + 25]
        if _CHANGE_BEFORE.search(before) or _COMPARATIVE_AFTER.match(after):
            out.append(Result(q.start, q.end, True))
    out += [Result(m.start(), m.end(), False) for m in [*_NONE_SINCE.finditer(text), *_ON_TIME.finditer(text)]
            if free(m.start(), m.end())]
    out.sort(key=lambda r: (r.start, -r.end))
    merged: list[Result] = []
    for r in out:
        if merged and r.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Result(last.start, max(last.end, r.end), last.measured or r.measured)
        else:
            merged.append(r)
    return merged
