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


_TEMPLATE_FIELDS = {"tool": {"term"}, "skill": {"term"}, "duty": {"term"}, "value": {"term"},
                    "cv_role": {"title", "employer"}, "cv_skill": {"term"}}


def load_job_rules(path: Path | None = None) -> JobRules:
    """Read and check ``prompts/job.toml``."""
    path = path or prompts_dir() / "job.toml"
    data = read_toml(path)
    top = TableReader(path, "top level", data)
    top.unknown({"ignore", "values", "templates", "max_terms"})
    t = TableReader(path, "[templates]", top.get("templates", dict))
    t.unknown(set(_TEMPLATE_FIELDS))
    templates = {}
    for kind, fields in _TEMPLATE_FIELDS.items():
        texts = t.strings(kind)
        templates[kind] = tuple(check_template(f"{path.name}: templates.{kind}", x, fields) for x in texts)
    return JobRules(frozenset(w.lower() for w in top.strings("ignore")), frozenset(w.lower() for w in top.strings("values")),
                    templates, top.get("max_terms", int, 12))


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


def job_profile(text: str, rules: JobRules | None = None) -> JobProfile:
    """The advert's title and key terms (tools, skills, duties, values), most important first."""
    rules = rules or job_rules()
    lines = clean_lines(text)
    title = next((ln for ln in lines[:3] if 1 <= len(ln.split()) <= 8), None)
    scores: Counter = Counter()
    kinds: dict[str, str] = {}
    shown: dict[str, str] = {}
    value_context = re.compile(r"\b(?:we value|our values|values|we believe|believe in|culture|ethos|mission|we care|"
                               r"our people|we expect)\b", re.IGNORECASE)
    duty_context = re.compile(r"^(?:you will|you'll|responsibilit|duties|what you'?ll do|the role)", re.IGNORECASE)
    in_duties = False
    header_words = {w.lower() for ln in lines[:3] for w in _TOKEN.findall(ln)}

    def add(key: str, phrase: str, kind: str, score: float) -> None:
        scores[key] += score
        kinds.setdefault(key, kind)
        shown.setdefault(key, phrase)

    for line in lines[1:]:
        if duty_context.match(line):
            in_duties = True
        elif line.endswith(":") or (len(line.split()) <= 4 and not line.endswith(".")):
            in_duties = duty_context.match(line) is not None
        tokens = [m.group() for m in _TOKEN.finditer(line)]
        if value_context.search(line):
            for tok in tokens:  # "We value compassion, openness and teamwork": each value is a term
                if tok.lower() in rules.values:
                    add(tok.lower(), tok.lower(), "value", 2.0 + _rarity(tok))
        for segment in re.split(r"[,;:()/|·•—–]+|\.(?:\s|$)|\s-\s", line):
            seg_tokens = [m.group() for m in _TOKEN.finditer(segment)]
            for phrase in _candidates(seg_tokens, rules, header_words, segment.strip()):
                words = phrase.split()
                key = phrase.lower()
                if len(words) > 1 and all(w[0].isupper() for w in words) and not all(_acronym(w) for w in words):
                    continue  # a name (the employer, a place, a ward), not something the job asks for
                if all(w.lower() in rules.values for w in words):
                    continue  # counted above when the advert states it as a value
                score = sum(_rarity(w) for w in key.split()) * (1.5 if len(words) > 1 else 1.0)
                tool = any(_acronym(w) for w in words) or (len(words) == 1 and words[0][0].isupper())
                kind = "tool" if tool else "duty" if in_duties and len(words) > 1 else "skill"
                add(key, phrase, kind, score + (1.0 if tool else 0.0))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    quota = {"value": 3, "tool": 4, "duty": 4, "skill": 3}
    picked, seen_words = [], set()
    for key, score in ranked:
        words = set(key.split())
        if (words <= seen_words and kinds[key] != "value") or quota[kinds[key]] == 0:
            continue  # already covered by a longer term, or enough of this kind
        seen_words |= words
        quota[kinds[key]] -= 1
        picked.append(Term(shown[key], kinds[key], score))
    terms = sorted(picked, key=lambda t: -t.weight)[: rules.max_terms]
    return JobProfile(title, tuple(terms))


def _acronym(word: str) -> bool:
    """NMC, NEWS2, SAP, CSCS, PowerPoint: the names of tools, systems and qualifications."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9+#]{1,7}|[A-Z][a-z]+[A-Z]\w*", word))


_SOFT_EDGE = re.compile(r".*(?:ly|ing|able|ible|ful|ous|ive)$", re.IGNORECASE)


def _candidates(tokens: list[str], rules: JobRules, header: set[str] = frozenset(), segment: str = "") -> list[str]:
    """Runs of content words (1-3 words) between common words; names from the advert's header left out.

    A capitalised word that is not the first of its phrase and is rare in English is kept on its own
    (Python, Redis, Datix): it names a tool or system.
    """
    from wordfreq import zipf_frequency

    out, run = [], []

    def flush() -> None:
        while run and _SOFT_EDGE.match(run[0]) and not _acronym(run[0]):
            run.pop(0)  # "comfortable reading query" -> "reading query" -> "query"
        while run and run[-1].lower().endswith("ly"):
            run.pop()
        if run:
            out.extend([" ".join(run[:3])] + ([" ".join(run[-2:])] if len(run) > 3 else []))
        run.clear()

    for i, tok in enumerate(tokens):
        low = tok.lower()
        if low in header and not _acronym(tok):
            flush()
            continue
        if i > 0 and tok[0].isupper() and not _acronym(tok) and zipf_frequency(low, "en") < 4.5:
            flush()
            out.append(tok)  # a tool or system named mid-sentence
            continue
        common = zipf_frequency(low, "en") >= 5.0
        if low in rules.ignore or (common and not _acronym(tok)) or len(low) < 2 or low.isdigit():
            flush()
        else:
            run.append(tok)
    flush()
    return out

