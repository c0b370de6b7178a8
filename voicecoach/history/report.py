"""The HTML report: one self-contained file with a card per answer and progress charts.

Rendered from ``templates/report.html.j2`` by jinja2 with autoescaping, so everything the candidate
said is escaped by construction. Inline CSS, inline SVG charts, audio embedded as data URIs, no
scripts and no network resources (a Content-Security-Policy forbids them).

It stays bounded however long the history (issue 19: 500 sessions took 172 s and 142 MB when every card
repeated every attempt at its question): the attempts at each question are listed once, in a table per
question at the end, and each card says which attempt it is and how the one before scored; recordings are
embedded newest first up to ``AUDIO_BUDGET_BYTES``, older cards name the file instead.
"""

from __future__ import annotations

import base64
from pathlib import Path

from .records import Answer, SessionRecord
from .render import ROUND, delivery_text, insights_lines, segments

__all__ = ["render_html", "report_view", "attempts_by_question", "AUDIO_BUDGET_BYTES", "CARD_BUDGET_CHARS"]

AUDIO_BUDGET_BYTES = 3_000_000
"""Recordings embedded in one report at most (as files; base64 adds a third): the newest sessions' first."""
CARD_BUDGET_CHARS = 4_000_000
"""Full cards (transcript with its evidence, tips, insights) in one report at most, newest sessions first; older
answers get a brief card (verdict, scores, the opening words) pointing to ``voicecoach report SESSION``."""

_W, _H, _PAD = 640, 220, 36
_COLORS = ["#2b6cb0", "#c05621", "#2f855a", "#805ad5"]


def _y(v: float, top: float) -> float:
    return round(_H - _PAD - min(v, top) / top * (_H - 2 * _PAD), 1)


def _legend(names: list[str]) -> list[tuple[float, str, str]]:
    """The legend on its own row under the title, left to right: (x, colour, name) per series (a legend
    at the right overlapped a long title, and a long name ran off the chart)."""
    out, x = [], float(_PAD)
    for j, name in enumerate(names):
        out.append((round(x, 1), _COLORS[j % len(_COLORS)], name))
        x += 30 + 6.5 * len(name)
    return out


def _bars(labels: list[str], series: dict[str, list[float | None]], title: str) -> dict:
    n = max(1, len(labels))
    group = (_W - 2 * _PAD) / n
    bar = group / (len(series) + 1)
    bars = [{"x": round(_PAD + i * group + (j + 0.5) * bar, 1), "y": _y(v, 100), "w": round(bar * 0.9, 1),
             "h": round(v / 100 * (_H - 2 * _PAD), 1), "color": _COLORS[j % len(_COLORS)], "title": f"{name} {v}"}
            for j, (name, values) in enumerate(series.items()) for i, v in enumerate(values) if v is not None]
    return {"title": title, "w": _W, "h": _H, "pad": _PAD, "grid": [(_y(v, 100), v) for v in (0, 50, 100)],
            "bars": bars, "lines": [],
            "xlabels": [(round(_PAD + (i + 0.5) * group, 1), lab) for i, lab in enumerate(labels)],
            "legend": _legend(list(series))}


def _lines(labels: list[str], series: dict[str, list[float | None]], title: str, top: float) -> dict:
    n = len(labels)
    xs = [round(_PAD + (i + 0.5) * (_W - 2 * _PAD) / max(1, n), 1) for i in range(n)]
    lines = [{"color": _COLORS[j % len(_COLORS)],
              "points": [(xs[i], _y(v, top)) for i, v in enumerate(values) if v is not None]}
             for j, values in enumerate(series.values())]
    return {"title": title, "w": _W, "h": _H, "pad": _PAD, "grid": [(_y(v, top), f"{v:g}") for v in (0, top / 2, top)],
            "bars": [], "lines": lines, "xlabels": list(zip(xs, labels)),
            "legend": _legend(list(series))}


def _audio_uri(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    kind = "ogg" if path.endswith(".ogg") else "wav"
    return f"data:audio/{kind};base64," + base64.b64encode(Path(path).read_bytes()).decode()


def attempts_by_question(sessions: list[SessionRecord]) -> dict[str, list[Answer]]:
    """Every evaluated answer of ``sessions`` per question, oldest first (one pass, no queries)."""
    out: dict[str, list[Answer]] = {}
    for s in sessions:
        for a in s.answers:
            if a.evaluation:
                out.setdefault(a.question_id, []).append(a)
    return out


def _attempt(a: Answer, attempts: list[Answer]) -> dict | None:
    """Which attempt at its question ``a`` is, and the one before it (None for the only one)."""
    if len(attempts) < 2:
        return None
    key = (a.session_id, a.index)
    n = next((i for i, t in enumerate(attempts) if (t.session_id, t.index) == key), None)
    return {"n": None if n is None else n + 1, "of": len(attempts), "before": attempts[n - 1] if n else None}


def _card(a: Answer, attempts: list[Answer], audio: str | None, brief: bool = False) -> dict:
    ev = a.evaluation
    return {"answer": a, "ev": ev, "round_name": ROUND.get(a.round, a.round), "brief": brief,
            "segments": segments(a.transcript, ev) if ev else [],
            "delivery": delivery_text(ev) if ev else None, "audio": audio,
            "audio_file": a.audio_path if a.audio_path and not audio and Path(a.audio_path).is_file() else None,
            "insights": [ln for ln in insights_lines(a) if not ln.startswith("Follow-up asked")],
            "attempt": _attempt(a, attempts) if ev else None, "attempts": attempts}


def _audio_within_budget(sessions: list[SessionRecord], budget: int) -> set[tuple[int | None, int]]:
    """The answers whose recordings are embedded: the newest sessions' first, while they fit in ``budget``."""
    chosen: set[tuple[int | None, int]] = set()
    for s in reversed(sessions):
        for a in s.answers:
            if not a.audio_path:
                continue
            try:
                size = Path(a.audio_path).stat().st_size
            except OSError:
                continue
            if size > budget:
                return chosen
            budget -= size
            chosen.add((a.session_id, a.index))
    return chosen


def _card_size(a: Answer) -> int:
    """About how many characters a full card of ``a`` takes (its transcript, marked up, and the rest)."""
    ev = a.evaluation
    return 1200 + 2 * len(a.transcript) + (sum(len(t) for t in ev.tips) if ev else 0)


def _full_cards(sessions: list[SessionRecord], budget: int) -> set[int | None]:
    """The sessions whose answers get full cards: the newest first, while they fit in ``budget``."""
    chosen: set[int | None] = set()
    for s in reversed(sessions):
        budget -= sum(_card_size(a) for a in s.answers)
        if budget < 0 and chosen:
            break
        chosen.add(s.id)
    return chosen


def report_view(sessions: list[SessionRecord], all_sessions: list[SessionRecord],
                attempts: dict[str, list[Answer]] | None = None, audio=None) -> dict:
    """What the report shows, as data for a template: ``sessions`` (a card per answer and a chart each),
    ``progress`` (charts over ``all_sessions``), ``questions`` (the attempts at each question asked more
    than once, from ``all_sessions`` unless ``attempts`` is given) and ``rounds`` (their names).

    Args:
        audio: the source of an answer's recording (``Answer`` to a URL or None), as the web page serves
            them; by default the file itself as a data URI, newest first within ``AUDIO_BUDGET_BYTES``, so
            that the report is one self-contained file of bounded size.
    """
    attempts = attempts if attempts is not None else attempts_by_question(all_sessions)
    if audio is None:
        embed = _audio_within_budget(sessions, AUDIO_BUDGET_BYTES)

        def audio(a: Answer) -> str | None:
            return _audio_uri(a.audio_path) if (a.session_id, a.index) in embed else None

    full = _full_cards(sessions, CARD_BUDGET_CHARS)
    summaries = {id(s): s.summary for s in all_sessions}  # a summary is computed, not stored: once each
    view, asked = [], {}
    for s in sessions:
        answered = [a for a in s.answers if a.evaluation]
        chart = _bars([f"Q{a.index}" for a in answered],
                      {"HR round": [a.evaluation.scores["hr"] for a in answered],
                       "hiring-manager round": [a.evaluation.scores["hiring_manager"] for a in answered]},
                      f"Scores per question, session #{s.id}") if answered else None
        cards = []
        for a in s.answers:
            cards.append(_card(a, attempts.get(a.question_id, []), audio(a), brief=s.id not in full))
            if len(attempts.get(a.question_id, [])) > 1:
                asked.setdefault(a.question_id, a.question)
        view.append({"record": s, "summary": summaries.get(id(s)) or s.summary, "chart": chart, "answers": cards})
    labels = [f"#{s.id}" for s in all_sessions]
    summaries = [summaries[id(s)] for s in all_sessions]
    progress = [
        _lines(labels, {"HR round": [x.average_scores["hr"] for x in summaries],
                        "hiring-manager round": [x.average_scores["hiring_manager"] for x in summaries]},
               "Average score per round over sessions (each round's own questions)", 100),
        _lines(labels, {"words per minute": [x.words_per_minute for x in summaries]},
               "Words per minute over sessions", 250),
        _lines(labels, {"fillers per minute": [x.fillers_per_minute for x in summaries]},
               "Filler words per minute over sessions", 10),
    ]
    questions = [{"id": qid, "text": text, "attempts": attempts[qid]} for qid, text in asked.items()]
    return {"sessions": view, "progress": progress, "rounds": ROUND, "questions": questions,
            "occupations": _by_occupation(questions), "audio_budget_mb": AUDIO_BUDGET_BYTES // 1_000_000}


def _by_occupation(questions: list[dict]) -> list[dict]:
    """The questions asked more than once, grouped by the occupation they belong to (the general
    questions first, then the occupations by name), so a nurse sees her ward questions together."""
    groups: dict[str, list[dict]] = {}
    for q in questions:
        role = next((a.role for a in q["attempts"] if a.role), "generic") or "generic"
        groups.setdefault(role, []).append(q)
    titles = {}
    if set(groups) - {"generic"}:
        from ..errors import VoicecoachError
        from ..questions.bank import default_bank

        try:
            titles = {o.id: o.title for o in default_bank().occupations.values()}
        except VoicecoachError:
            pass  # a bank that no longer reads: the occupations keep their ids
    name = {r: "General questions" if r == "generic" else titles.get(r) or r.replace("_", " ").capitalize()
            for r in groups}
    return [{"role": r, "name": name[r], "questions": groups[r]}
            for r in sorted(groups, key=lambda r: (r != "generic", name[r]))]


def render_html(sessions: list[SessionRecord], all_sessions: list[SessionRecord],
                attempts: dict[str, list[Answer]] | None = None) -> str:
    """The report: a card per answer of ``sessions``, the attempts at each of their questions (from
    ``all_sessions`` unless ``attempts`` is given) and progress charts over ``all_sessions``."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("voicecoach.history", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**report_view(sessions, all_sessions, attempts))