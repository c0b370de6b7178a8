"""Language that word lists cannot see: who did what, claims, questions, negation, fillers.

* A first-person action is found by the shape of the clause, not a verb list: "I" (or "I'd", "we")
  followed, after any adverbs, by a verb in the past tense (a regular "-ed" form or one of English's
  irregular pasts), a modal and a verb ("I'd check", "I would ring"), or a present-tense verb of
  doing in a how-I-work description ("every morning I pull the report").
* A claim is a self-description with nothing behind it: "I'm a great communicator", "I always give a
  hundred and ten percent". A story that shows the quality is not a claim.
* Fillers ("um", "you know", "honestly", "like" as a filler) are ignored as content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Action", "actions", "main_actions", "claims", "clean", "is_question", "negated_before", "FILLER_RE"]

_IRREGULAR_PAST = frozenset("""
arose awoke was were bore beat became began bent bet bid bit bled blew broke bred brought built burnt burst bought
caught chose clung came cost crept cut dealt dug dived dove did drew dreamt drank drove ate fell fed felt fought found
fled flung flew forbade forgot forgave froze got gave went ground grew hung had heard hid hit held hurt kept knelt knew
laid led leant leapt learnt left lent let lay lit lost made meant met paid put quit read rode rang rose ran said saw
sought sold sent set shook shone shot showed shut sang sank sat slept slid spoke sped spent spun spat split spread
sprang stood stole stuck stung stank strode struck swore swept swam swung took taught tore told thought threw
understood woke wore wove wept won wound wrote rebuilt rewrote reran redid retook undid oversaw overtook underwent
withdrew upheld mislaid misread sorted
""".split())
# Past forms that describe feelings or states, not actions at work.
_NOT_ACTIONS = frozenset("""
was were had felt thought knew meant liked loved hated wanted needed hoped enjoyed preferred believed guessed supposed
reckoned wished seemed appeared used tried cared expected worried realised realized noticed remembered forgot
interested excited bored tired scared stressed pleased frustrated qualified applied
am have think feel like love hate want need hope enjoy prefer believe guess suppose reckon wish seem know mean care
would could should might must will can shall do does did got get
""".split())
_ADVERBS = frozenset("""
then just also actually personally quickly immediately first basically really straight always usually normally often
instead eventually finally later soon still even already only carefully um uh like so and myself manually literally
""".split())
_MODALS = frozenset({"would", "will", "could", "should", "might", "d", "ll"})
_COPULAS = frozenset({"was", "were", "is", "are", "has", "had", "seemed"})
_RELATIVE_HEADS = frozenset({"everyone", "everybody", "anyone", "anybody", "someone", "somebody", "people", "one",
                             "ones", "person", "thing", "things", "all", "most", "each", "that", "who"})
_CLAIM_SELF = re.compile(
    r"\b(?:i'?m|i am|i'?ve always been|i have always been|i consider myself|i'?d (?:say|describe) (?:i'?m|myself as)|"
    r"i see myself as|people (?:say|tell me) i'?m|my (?:friends|colleagues|manager) (?:say|would say) i'?m)\s+"
    r"(?:a |an )?(?:very |really |extremely |super |highly |so |quite |genuinely |naturally |a real |a great |"
    r"a good |a strong )*"
    r"(?:hard[- ]?work\w*|organi[sz]ed|reliable|passionate|motivated|driven|dedicated|committed|flexible|"
    r"adaptable|dependable|punctual|perfectionist|people person|team player|good team player|great communicator|"
    r"good communicator|natural leader|problem[- ]solver|fast learner|quick learner|self[- ]starter|go[- ]getter|"
    r"detail[- ]oriented|results[- ]driven|proactive|resilient|positive|friendly|easy ?going|outgoing|honest|"
    r"loyal|ambitious|creative|confident|enthusiastic|professional|good with people|good at (?:\w+ing)|"
    r"great with people|a people person|people person|calm under pressure|good under pressure|multi-?tasker)\b",
    re.IGNORECASE)
_CLAIM_STOCK = re.compile(
    r"\b(?:(?:a |one )?hundred (?:and )?ten (?:percent|per cent)|110\s*%|go(?:es|ing)? (?:the )?extra mile|"
    r"above and beyond|think(?:ing)? outside the box|hit the ground running|team player|people person|"
    r"work(?:s|ing)? well under pressure|thrive(?:s)? under pressure|work hard,? play hard|give it my all|"
    r"give (?:it )?(?:everything|my best|a hundred percent)|i never give up|failure is not an option|"
    r"my (?:biggest )?weakness is (?:that )?i(?:'m| am) (?:a )?perfectionist|wear (?:many|lots of) hats|"
    r"i'?m passionate about)\b", re.IGNORECASE)
FILLER_RE = re.compile(
    r"\b(?:um+|uh+|erm+|er|hmm+|mm+|ah+|you know|i mean|honestly|basically|literally|"
    r"to be honest|if i'?m honest|okay so|ok so|yeah so|so yeah|yeah)\b[,]?"
    r"|(?<!\bwhat )(?<!\bwhich )(?<!\bthis )(?<!\bthat )(?<!\bthe )(?<!\ba )(?<!\bany )(?<!\bsome )"
    r"\b(?:kind|sort) of\b"
    r"|(?:(?<=\bum )|(?<=\buh )|(?<=^)|(?<=, )|(?<=\bjust )|(?<=\bwas )|(?<=\band )|(?<=\bso ))like\b,?"
    r"|\blike(?= (?:um|uh|you know|i mean)\b)", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^(?:(?:and|so|also|just|um|uh|yeah|yes|okay|ok|well|one more thing|and also|actually|but|oh|right|"
    r"a few|a couple|two|one|sure)[,:;\- ]+)*"
    r"(?:what(?:'s|s)?\b(?=\s*(?:$|is|are|was|were|would|will|do|does|did|can|could|should|happens|kind|sort|type|"
    r"band|grade|level|point|time|the|your|you|people|does|sort))|what'?s\b|"
    r"how(?:'s|s)?\b(?=\s*(?:$|soon|long|much|many|often|do|does|did|is|are|was|would|will|can|could|quickly|fast|"
    r"the|your|you|people))|when(?:'s|s)? (?:is|are|was|would|will|do|does|did|can|could|should|might)\b|"
    r"where (?:is|are|would|will|do|does|can|could)\b|which (?:one|ones|level|band|grade|team|of)\b|"
    r"who (?:is|are|would|will|do|does)\b|why (?:is|are|would|do|does|did)\b|"
    r"(?:is|are|was|were) (?:there|it|the|that|this|they|you|your)\b|(?:do|does|did) (?:you|it|the|they|people|i)\b|"
    r"(?:can|could|would|will|should|may|might) (?:i|you|we|it|the|there|they|someone|people)\b|"
    r"(?:have|has) (?:you|the|there)\b|i was wondering|i'?d (?:love|like) to (?:know|ask|hear)|can i ask|"
    r"could i ask|i wanted to ask|i'?m curious)", re.IGNORECASE)
_NEGATOR = re.compile(r"\b(?:not|no|never|nothing|n't|isn'?t|wasn'?t|aren'?t|don'?t|doesn'?t|didn'?t|won'?t|"
                      r"wouldn'?t|can'?t|cannot|hardly|neither|nor)\b|n't\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Action:
    """A first-person action in the text."""

    start: int
    end: int
    kind: str
    """``past`` ("I pulled"), ``would`` ("I'd check"), ``present`` ("I pull the report every week") or
    ``we`` ("we rebuilt")."""


def clean(text: str) -> str:
    """``text`` without fillers, for comparing meanings."""
    return " ".join(FILLER_RE.sub(" ", text).split())


def _past(word: str) -> bool:
    w = word.lower()
    if w in _NOT_ACTIONS:
        return False
    return w in _IRREGULAR_PAST or (len(w) > 4 and w.endswith("ed") and not w.endswith("eed"))


def actions(text: str) -> list[Action]:
    """First-person actions: the subject, any adverbs, and the verb."""
    words = [(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in _WORD.finditer(text)]
    out = []
    for i, (s, _e, w) in enumerate(words):
        subject = w in ("i", "we") or w.startswith(("i'", "we'"))
        if not subject:
            continue
        kind = "we" if w.startswith("we") else "past"
        contraction = w.split("'", 1)[1] if "'" in w else ""
        if contraction in ("m", "re", "ve"):
            continue  # "I'm", "I've": states and claims, not actions
        modal = contraction in ("d", "ll")
        j = i + 1
        while j < len(words) and words[j][2] in _ADVERBS:
            j += 1
        if j < len(words) and words[j][2] in _MODALS:
            modal, j = True, j + 1
            while j < len(words) and words[j][2] in _ADVERBS:
                j += 1
        if j >= len(words):
            continue
        verb = words[j][2]
        if verb in _NOT_ACTIONS or verb in ("not", "never", "be", "been", "have", "like", "love", "want"):
            continue
        if i > 0 and words[i - 1][2] in _RELATIVE_HEADS and any(w[2] in _COPULAS for w in words[j + 1:j + 7]):
            continue  # "everyone I met (on the open day) was lovely": a relative clause, not something done
        if modal:
            if verb.endswith(("ed", "ing")) or verb in _IRREGULAR_PAST:
                continue
            out.append(Action(s, words[j][1], "we" if kind == "we" else "would"))
        elif _past(verb):
            out.append(Action(s, words[j][1], kind))
        elif kind == "past" and len(verb) > 2 and not verb.endswith(("ing", "ly", "s'")) and verb not in _ADVERBS:
            out.append(Action(s, words[j][1], "present"))
    return out


_SCENE = frozenset({"when", "whenever", "since", "until", "till", "after", "before", "once", "while", "if", "as"})
_WISH = re.compile(r"\b(?:like|love|want|wanted|hope|rather|prefer)\s*(?:to\b|$)", re.IGNORECASE)
# Verbs of hearing, learning or how a life went: things that happened to the speaker, not work done.
_NOT_DOING = frozenset("heard learned learnt grew fell ended wound happened".split())
_REPORTED = frozenset({"say", "says", "said", "tell", "tells", "told"})


def main_actions(text: str) -> list[Action]:
    """The actions that say what the speaker did, not those that set the scene ("when I joined, ...",
    "after I started"), happened to them ("I grew up...", "I heard..."), are reported by others
    ("they'd say I treated...") or say what they wish ("I'd like to help set it up")."""
    out = []
    for a in actions(text):
        before = text[max(0, a.start - 12):a.start].lower().split()
        if before and (before[-1].strip(",") in _SCENE or before[-1] in _REPORTED):
            continue
        if text[a.start:a.end].lower().split()[-1] in _NOT_DOING:
            continue
        if _WISH.search(text[a.start:a.end + 12]):
            continue
        out.append(a)
    return out


def claims(text: str) -> list[tuple[int, int]]:
    """Self-descriptions and stock phrases claimed without an example."""
    return sorted((m.start(), m.end()) for rx in (_CLAIM_SELF, _CLAIM_STOCK) for m in rx.finditer(text))


def is_question(text: str) -> bool:
    """True when ``text`` asks something (a question mark, or the shape of a question)."""
    t = clean(text).strip()
    return t.endswith("?") or bool(_QUESTION_START.match(t))


def negated_before(text: str, pos: int, window: int = 7) -> bool:
    """True when a negator stands within ``window`` words before ``pos`` in the same clause."""
    before = re.split(r"[.?!;]|\bbut\b|\bthough\b|\bhowever\b", text[:pos])[-1]
    return bool(_NEGATOR.search(" ".join(before.split()[-window:])))
