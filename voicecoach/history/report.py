"""The HTML report: one self-contained file with a card per answer and progress charts.

Rendered from ``templates/report.html.j2`` by jinja2 with autoescaping, so everything the candidate
said is escaped by construction. Inline CSS, inline SVG charts, audio embedded as data URIs, no
scripts and no network resources (a Content-Security-Policy forbids them).
"""

from __future__ import annotations

import base64
from pathlib import Path

from .records import Answer, SessionRecord
from .render import ROUND, delivery_text, insights_lines, segments

__all__ = ["render_html", "report_view"]

_W, _H, _PAD = 640, 220, 36
_COLORS = ["#2b6cb0", "#c05621", "#2f855a", "#805ad5"]


def _y(v: float, top: float) -> float:
    return round(_H - _PAD - min(v, top) / top * (_H - 2 * _PAD), 1)


def _bars(labels: list[str], series: dict[str, list[float | None]], title: str) -> dict:
    n = max(1, len(labels))
    group = (_W - 2 * _PAD) / n
    bar = group / (len(series) + 1)
    bars = [{"x": round(_PAD + i * group + (j + 0.5) * bar, 1), "y": _y(v, 100), "w": round(bar * 0.9, 1),
             "h": round(v / 100 * (_H - 2 * _PAD), 1), "color": _COLORS[j % len(_COLORS)], "title": f"{name} {v}"}
            for j, (name, values) in enumerate(series.items()) for i, v in enumerate(values) if v is not None]
    return {"title": title, "w": _W, "h": _H, "pad": _PAD, "grid": [(_y(v, 100), v) for v in (0, 50, 100)],
            "bars": bars, "lines": [], "xlabels": [(round(_PAD + (i + 0.5) * group, 1), lab) for i, lab in enumerate(labels)],
            "legend": [(_W - _PAD - 200 + j * 110, _COLORS[j % len(_COLORS)], name) for j, name in enumerate(series)]}


def _lines(labels: list[str], series: dict[str, list[float | None]], title: str, top: float) -> dict:
    n = len(labels)
    xs = [round(_PAD + (i + 0.5) * (_W - 2 * _PAD) / max(1, n), 1) for i in range(n)]
    lines = [{"color": _COLORS[j % len(_COLORS)],
              "points": [(xs[i], _y(v, top)) for i, v in enumerate(values) if v is not None]}
             for j, values in enumerate(series.values())]
    return {"title": title, "w": _W, "h": _H, "pad": _PAD, "grid": [(_y(v, top), f"{v:g}") for v in (0, top / 2, top)],
            "bars": [], "lines": lines, "xlabels": list(zip(xs, labels)),
            "legend": [(_W - _PAD - 150 * len(series) + j * 150, _COLORS[j % len(_COLORS)], name)
                       for j, name in enumerate(series)]}


def _audio_uri(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    kind = "ogg" if path.endswith(".ogg") else "wav"
    return f"data:audio/{kind};base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _card(a: Answer, attempts: list[Answer], audio) -> dict:
    ev = a.evaluation
    return {"answer": a, "ev": ev, "round_name": ROUND.get(a.round, a.round),
            "segments": segments(a.transcript, ev) if ev else [],
            "delivery": delivery_text(ev) if ev else None, "audio": audio(a),
            "insights": [ln for ln in insights_lines(a) if not ln.startswith("Follow-up asked")],
            "attempts": [t for t in attempts if t.evaluation]}


def report_view(sessions: list[SessionRecord], all_sessions: list[SessionRecord],
                attempts_by_question: dict[str, list[Answer]], audio=None) -> dict:
    """What the report shows, as data for a template: ``sessions`` (a card per answer and a chart each),
    ``progress`` (charts over ``all_sessions``) and ``rounds`` (their names).

    Args:
        audio: the source of an answer's recording (``Answer`` to a URL or None); by default the file
            itself as a data URI, so that the report is one self-contained file.
    """
    audio = audio or (lambda a: _audio_uri(a.audio_path))
    view = []
    for s in sessions:
        answered = [a for a in s.answers if a.evaluation]
        chart = _bars([f"Q{a.index}" for a in answered],
                      {"HR round": [a.evaluation.scores["hr"] for a in answered],
                       "hiring-manager round": [a.evaluation.scores["hiring_manager"] for a in answered]},
                      f"Scores per question, session #{s.id}") if answered else None
        view.append({"record": s, "chart": chart,
                     "answers": [_card(a, attempts_by_question.get(a.question_id, []), audio) for a in s.answers]})
    labels = [f"#{s.id}" for s in all_sessions]
    summaries = [s.summary for s in all_sessions]
    progress = [
        _lines(labels, {"HR round": [x.average_scores["hr"] for x in summaries],
                        "hiring-manager round": [x.average_scores["hiring_manager"] for x in summaries]},
               "Average score per round over sessions (each round's own questions)", 100),
        _lines(labels, {"words per minute": [x.words_per_minute for x in summaries]}, "Words per minute over sessions", 250),
        _lines(labels, {"fillers per minute": [x.fillers_per_minute for x in summaries]},
               "Filler words per minute over sessions", 10),
    ]
    return {"sessions": view, "progress": progress, "rounds": ROUND}


def render_html(sessions: list[SessionRecord], all_sessions: list[SessionRecord],
                attempts_by_question: dict[str, list[Answer]]) -> str:
    """The report: a card per answer of ``sessions`` and progress charts over ``all_sessions``."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("voicecoach.history", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**report_view(sessions, all_sessions, attempts_by_question))
