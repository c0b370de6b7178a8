"""The job: a job advert's key terms, found with rules (documents are read by ``documents.py``).

Key terms are noun phrases and multi-word terms that are rarer in the advert's words than in general
English (wordfreq's frequency list), classed as tools, skills, duties (what the advert says you will do)
or values (what it says the employer cares about). No cloud, no language model. The question
templates and word lists are in ``prompts/job.toml``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..prompts import TableReader, check_template, prompts_dir, read_toml
from .documents import TOKEN

__all__ = ["Term", "JobProfile", "job_profile", "JobRules", "load_job_rules", "job_rules", "clean_lines",
           "release_frequency_list"]

_TOKEN = TOKEN  # words in any alphabet: an ASCII-only pattern cut "règles d'hygiène" into "gles d'hygi ne"
_LINE_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d+[.)])\s+")


@dataclass(frozen=True)
class Term:
    """A key term of a job advert."""

    text: str
    kind: str
    """``tool``, ``skill``, ``duty`` or ``value``."""
    weight: float
    """How distinctive and how often said (higher is more important)."""


@dataclass(frozen=True)
class JobProfile:
    """What a job advert asks for."""

    title: str | None
    terms: tuple[Term, ...]

    def of(self, kind: str) -> list[Term]:
        """The terms of one kind, most important first."""
        return [t for t in self.terms if t.kind == kind]

    def to_json(self) -> dict:
        """JSON form (saved with the session's settings)."""
        return {"title": self.title, "terms": [{"text": t.text, "kind": t.kind, "weight": round(t.weight, 2)}
                                              for t in self.terms]}


@dataclass(frozen=True)
class JobRules:
    """``prompts/job.toml``: words that are not key terms, value words, and the question templates."""

    ignore: frozenset[str]
    values: frozenset[str]
    templates: dict[str, tuple[str, ...]]
    max_terms: int
    stop: frozenset[str] = frozenset()
    """Function words: they end a term."""
    verbs: frozenset[str] = frozenset()
    """Verbs that open a duty ("deliver", "maintain"): dropped from the start of a term."""
    sections: dict[str, tuple[str, ...]] = None
    """Per kind of section (duty, need, value, skip), the headings that open one."""
    quota: dict[str, int] = None
    """How many terms of each kind at most."""


_TEMPLATE_FIELDS = {"tool": {"term"}, "skill": {"term"}, "duty": {"term"}, "value": {"term"},
                    "qualification": {"term"}, "cv_role": {"title", "employer"}, "cv_skill": {"term"}}
_SECTION_KINDS = ("duty", "need", "value", "skip")
_KINDS = ("tool", "skill", "duty", "qualification", "value")


def load_job_rules(path: Path | None = None) -> JobRules:
    """Read and check ``prompts/job.toml``."""
    path = path or prompts_dir() / "job.toml"
    data = read_toml(path)
    top = TableReader(path, "top level", data)
    top.unknown({"ignore", "values", "templates", "max_terms", "stop", "verbs", "sections", "quota"})
    t = TableReader(path, "[templates]", top.get("templates", dict))
    t.unknown(set(_TEMPLATE_FIELDS))
    templates = {}
    for kind, fields in _TEMPLATE_FIELDS.items():
        texts = t.strings(kind)
        templates[kind] = tuple(check_template(f"{path.name}: templates.{kind}", x, fields) for x in texts)
    sec = TableReader(path, "[sections]", top.get("sections", dict))
    sec.unknown(set(_SECTION_KINDS))
    sections = {k: tuple(w.lower() for w in sec.strings(k)) for k in _SECTION_KINDS}
    q = TableReader(path, "[quota]", top.get("quota", dict))
    q.unknown(set(_KINDS))
    quota = {k: q.get(k, int) for k in _KINDS}
    return JobRules(frozenset(w.lower() for w in top.strings("ignore")),
                    frozenset(w.lower() for w in top.strings("values")),
                    templates, top.get("max_terms", int, 12), frozenset(w.lower() for w in top.strings("stop")),
                    frozenset(w.lower() for w in top.strings("verbs")), sections, quota)


@lru_cache(maxsize=2)
def job_rules() -> JobRules:
    """The rules from the prompts folder, loaded once."""
    return load_job_rules()


def clean_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = re.sub(r"[#*_`>|]+", " ", raw)
        line = _LINE_BULLET.sub("", line).strip()
        if line:
            lines.append(line)
    return lines


def release_frequency_list() -> None:
    """Drop wordfreq's English list (about 35 MB) once the documents are read: the session does not need it."""
    import sys

    wf = sys.modules.get("wordfreq")
    if wf is None:
        return
    wf.get_frequency_dict.cache_clear()
    wf.get_frequency_list.cache_clear()
    wf.top_n_list.cache_clear()
    getattr(wf, "_wf_cache", {}).clear()


def _rarity(word: str) -> float:
    from wordfreq import zipf_frequency

    return max(0.0, 6.0 - zipf_frequency(word.lower(), "en"))


def _section(line: str, rules: JobRules) -> str | None:
    """The kind of section a heading opens (``duty``, ``need``, ``value``, ``skip``), ``other`` for another
    heading, or None when ``line`` is not a heading."""
    bare = line.strip().rstrip(":").strip()
    words = bare.split()
    if not words or len(words) > 8 or bare.endswith((".", "!", "?")) or (not line.rstrip().endswith(":")
                                                                         and len(words) > 6):
        return None
    low = bare.lower()
    for kind, cues in rules.sections.items():
        if any(low.startswith(c) or f" {c}" in f" {low}" for c in cues):
            return kind
    return "other" if line.rstrip().endswith(":") or bare.istitle() else None


_SECTION_WEIGHT = {"duty": 2.0, "need": 2.0, "value": 1.2, "other": 0.6}
_QUALIFICATION = re.compile(r"\b(?:licen[cs]e|certificate|certification|diploma|degree|level \d|nvq|gcse|dbs|card|"
                            r"registration|registered|qualified|qualification|cpc|cscs|edition|city (?:and|&) guilds|"
                            r"first aid|award)\b", re.IGNORECASE)
_PAY = re.compile(r"[£$€]\s?\d|\b(?:per hour|an hour|salary|pro rata|per annum|p\.a\.|ote)\b", re.IGNORECASE)


def job_profile(text: str, rules: JobRules | None = None) -> JobProfile:
    """The advert's title and key terms (tools, skills, duties, qualifications, values), most important first.

    The advert is read section by section: what you will do (duties) and what you will need (skills,
    qualifications) count most, benefits, pay and how to apply not at all. Terms are runs of content words
    (common words and the advert's own boilerplate break them; a leading verb is dropped: "Deliver personal
    care" gives "personal care"), scored by where they stand, how long and how rare they are.
    """
    rules = rules or job_rules()
    lines = clean_lines(text)
    title = next((ln for ln in lines[:3] if 1 <= len(ln.split()) <= 8), None)
    scores: Counter = Counter()
    kinds: dict[str, str] = {}
    shown: dict[str, str] = {}
    header_words = {w.lower() for ln in lines[:2] for w in _TOKEN.findall(ln) if w[0].isupper()}
    value_context = re.compile(r"\b(?:we value|our values|values|we believe|believe in|culture|ethos|mission|we care|"
                               r"our people|we expect)\b", re.IGNORECASE)

    def add(key: str, phrase: str, kind: str, score: float) -> None:
        scores[key] += score
        kinds.setdefault(key, kind)
        shown.setdefault(key, phrase)

    section = "other"
    for line in lines[1:]:
        heading = _section(line, rules)
        if heading is not None:
            section = heading
            continue
        tokens = [m.group() for m in _TOKEN.finditer(line)]
        if value_context.search(line) or section == "value":
            for tok in tokens:  # "We value compassion, openness and teamwork": each value is a term
                if tok.lower() in rules.values:
                    add(tok.lower(), tok.lower(), "value", 3.0)
        if section in ("skip", "value") or (_PAY.search(line) and section == "other"):
            continue
        weight = _SECTION_WEIGHT[section]
        for segment in re.split(r"[,;:()/|·•—–]+|\.(?:\s|$)|\s-\s", line):
            seg_tokens = [m.group() for m in _TOKEN.finditer(segment)]
            for phrase in _candidates(seg_tokens, rules, header_words):
                words = phrase.split()
                key = phrase.lower()
                if len(words) > 1 and all(w[0].isupper() for w in words) and not any(_acronym(w) for w in words) \
                        and section == "other":
                    continue  # a name (the employer, a place, a ward), not something the job asks for
                if all(w.lower() in rules.values for w in words):
                    continue
                rarity = max(_rarity(w) for w in words)
                opens = segment.lstrip().startswith(words[0])
                tool = any(_acronym(w) for w in words) or (len(words) == 1 and words[0][0].isupper() and not opens
                                                            and rarity >= 2.5)
                qualification = bool(_QUALIFICATION.search(phrase))
                if len(words) == 1 and not tool and rarity < 2.5:
                    continue  # one common word ("care", "stock") says too little on its own
                score = weight * (1.0 + 0.35 * (min(len(words), 4) - 1)) + 0.25 * rarity + (0.5 if tool else 0.0)
                kind = ("qualification" if qualification else "tool" if tool
                        else "duty" if section == "duty" and len(words) > 1 else "skill")
                add(key, phrase, kind, score)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    quota = dict(rules.quota)
    picked, seen_words = [], set()
    for key, score in ranked:
        words = set(key.split())
        if (words <= seen_words and kinds[key] != "value") or quota.get(kinds[key], 0) == 0:
            continue  # already covered by a longer term, or enough of this kind
        seen_words |= words
        quota[kinds[key]] -= 1
        picked.append(Term(shown[key], kinds[key], score))
    terms = sorted(picked, key=lambda t: -t.weight)[: rules.max_terms]
    return JobProfile(title, tuple(terms))


def _acronym(word: str) -> bool:
    """NMC, NEWS2, SAP, CSCS, PowerPoint: the names of tools, systems and qualifications."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9+#]{1,7}|[A-Z][a-z]+[A-Z]\w*", word))




_SOFT_START = re.compile(r".*(?:ly|ous|ful|ive|able|ible)$|(?:previous|current|modern|similar|relevant|proven|strong|"
                         r"excellent|good|great|basic|solid|some|extensive|enthusiastic|friendly|growing|accurate|fast|"
                         r"quick|clear|clean|tidy|safe|high|low)$",
                         re.IGNORECASE)


def _candidates(tokens: list[str], rules: JobRules, header: set[str] = frozenset()) -> list[str]:
    """Runs of content words (1-4) between common words; "and" joins two content words ("moving and handling",
    "nutrition and hydration") but not two duties ("handle complaints and resolve issues"); a verb or an
    adjective that opens a run is dropped ("Deliver personal care" gives "personal care"); names from the
    advert's header are left out."""
    out, run = [], []

    def flush() -> None:
        while run and (run[0].lower() in rules.verbs or run[0].lower() in ("and", "&") or _SOFT_START.match(run[0])
                       or (run[0].lower().endswith("ing") and len(run) > 1 and run[0][0].isupper())):
            if _acronym(run[0]):
                break
            run.pop(0)  # "Preparing meals and drinks" -> "meals and drinks"
        while run and (run[-1].lower() in ("and", "&") or _SOFT_START.match(run[-1])) and len(run) > 1:
            run.pop()  # "test suite fast" -> "test suite"
        while run and run[-1].lower() in ("and", "&"):
            run.pop()
        if run:
            out.append(" ".join(run[:4]) if len(run) <= 4 else " ".join(run[-3:]))
        run.clear()

    for i, tok in enumerate(tokens):
        low = tok.lower()
        if low in ("and", "&"):
            following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            if run and len(run) < 2 and following not in rules.verbs:
                run.append(tok)
            else:
                flush()
            continue
        if (low in header and not _acronym(tok)) or low in rules.ignore or low in rules.stop or len(low) < 2 \
                or low.isdigit():
            flush()
        else:
            run.append(tok)
    flush()
    return out
