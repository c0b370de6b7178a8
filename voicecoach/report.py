"""History as text, HTML, JSON, CSV and Markdown. Everything the candidate said is escaped.

The HTML report is one self-contained file: inline CSS, inline SVG charts, audio embedded as data
URIs, no scripts and no network resources.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

__all__ = ["evidence_spans", "highlight_html", "highlight_terminal", "render_html", "export"]

ROUND = {"hr": "HR", "hiring_manager": "hiring manager", "both": "both rounds", "neither": "neither round"}


def evidence_spans(evaluation: dict | None) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every evidence quote, merged where they overlap; kind is ``flag`` or ``signal``."""
    if not evaluation:
        return []
    spans = [(e["start"], e["end"], "signal") for s in evaluation["signals"] if s["found"] for e in s["evidence"]]
    spans += [(f["start"], f["end"], "flag") for f in evaluation["flags"] if "start" in f]
    spans.sort()
    merged: list[list] = []
    for s, e, k in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            if k == "flag":
                merged[-1][2] = "flag"
        else:
            merged.append([s, e, k])
    return [tuple(m) for m in merged]


def _highlight(text: str, evaluation: dict | None, mark) -> str:
    out, pos = [], 0
    for s, e, kind in evidence_spans(evaluation):
        out.append(mark(text[pos:s], None))
        out.append(mark(text[s:e], kind))
        pos = e
    out.append(mark(text[pos:], None))
    return "".join(out)


def highlight_html(text: str, evaluation: dict | None) -> str:
    """The transcript, escaped, with evidence in ``<mark>`` (flags in ``<mark class=flag>``)."""
    def mark(part, kind):
        part = html.escape(part)
        return part if kind is None else f'<mark class="{kind}">{part}</mark>'
    return _highlight(text, evaluation, mark)


def highlight_terminal(text: str, evaluation: dict | None, color: bool) -> str:
    """The transcript with evidence underlined (flags in red) on a terminal, or in [brackets] elsewhere."""
    def mark(part, kind):
        if kind is None:
            return part
        if not color:
            return f"[{part}]" if kind == "signal" else f"[!{part}!]"
        return f"\x1b[4m{part}\x1b[0m" if kind == "signal" else f"\x1b[31;4m{part}\x1b[0m"
    return _highlight(text, evaluation, mark)


# -- charts -----------------------------------------------------------------------------------------
def _svg_bars(labels: list[str], series: dict[str, list[float | None]], title: str) -> str:
    w, h, pad = 640, 220, 36
    n = max(1, len(labels))
    group = (w - 2 * pad) / n
    colors = {"HR": "#2b6cb0", "hiring manager": "#c05621"}
    bar = group / (len(series) + 1)
    parts = [f'<svg class="chart" role="img" aria-label="{html.escape(title)}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">',
             f'<text x="{pad}" y="16" class="ct">{html.escape(title)}</text>']
    for v in (0, 50, 100):
        y = h - pad - v / 100 * (h - 2 * pad)
        parts.append(f'<line x1="{pad}" x2="{w - pad}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="4" y="{y + 4:.1f}" class="ax">{v}</text>')
    for i, label in enumerate(labels):
        for j, (name, values) in enumerate(series.items()):
            v = values[i]
            if v is None:
                continue
            bh = v / 100 * (h - 2 * pad)
            x = pad + i * group + (j + 0.5) * bar
            parts.append(f'<rect x="{x:.1f}" y="{h - pad - bh:.1f}" width="{bar * 0.9:.1f}" height="{bh:.1f}" '
                         f'fill="{colors.get(name, "#555")}"><title>{html.escape(name)} {v}</title></rect>')
        parts.append(f'<text x="{pad + (i + 0.5) * group:.1f}" y="{h - pad + 14}" class="ax" text-anchor="middle">'
                     f'{html.escape(label)}</text>')
    legend_x = w - pad - 200
    for j, name in enumerate(series):
        parts.append(f'<rect x="{legend_x + j * 110}" y="6" width="10" height="10" fill="{colors.get(name, "#555")}"/>'
                     f'<text x="{legend_x + 14 + j * 110}" y="15" class="ax">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_lines(labels: list[str], series: dict[str, list[float | None]], title: str, unit_max: float) -> str:
    w, h, pad = 640, 220, 36
    n = len(labels)
    colors = ["#2b6cb0", "#c05621", "#2f855a", "#805ad5"]
    parts = [f'<svg class="chart" role="img" aria-label="{html.escape(title)}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">',
             f'<text x="{pad}" y="16" class="ct">{html.escape(title)}</text>']
    for v in (0, unit_max / 2, unit_max):
        y = h - pad - v / unit_max * (h - 2 * pad)
        parts.append(f'<line x1="{pad}" x2="{w - pad}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="4" y="{y + 4:.1f}" class="ax">{v:g}</text>')
    xs = [pad + (i + 0.5) * (w - 2 * pad) / max(1, n) for i in range(n)]
    for i, label in enumerate(labels):
        parts.append(f'<text x="{xs[i]:.1f}" y="{h - pad + 14}" class="ax" text-anchor="middle">{html.escape(label)}</text>')
    for j, (name, values) in enumerate(series.items()):
        pts = [(xs[i], h - pad - min(v, unit_max) / unit_max * (h - 2 * pad)) for i, v in enumerate(values) if v is not None]
        c = colors[j % len(colors)]
        if len(pts) > 1:
            parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{c}"/>')
        lx = w - pad - 150 * len(series) + j * 150
        parts.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{c}"/>'
                     f'<text x="{lx + 14}" y="15" class="ax">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#1a202c;line-height:1.45}
h1{font-size:1.6em} h2{margin-top:2em;border-bottom:1px solid #ddd}
.card{border:1px solid #cbd5e0;border-radius:8px;padding:1em 1.2em;margin:1em 0;background:#fff}
.q{font-weight:600} .meta{color:#4a5568;font-size:.9em}
mark.signal{background:#c6f6d5} mark.flag{background:#fed7d7}
.verdict{font-weight:600} .suits-neither{color:#c53030} .flag{color:#c53030}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #e2e8f0;padding:.25em .6em;text-align:left}
svg.chart{max-width:100%;height:auto;background:#fafafa;border:1px solid #eee;margin:.5em 0}
.grid{stroke:#e2e8f0} .ax{font-size:11px;fill:#4a5568} .ct{font-size:13px;font-weight:600;fill:#1a202c}
"""


def _audio_tag(path: str | None) -> str:
    if not path or not Path(path).is_file():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<audio controls preload="none" src="data:audio/ogg;base64,{data}"></audio>'


def _card(a: dict, attempts: list[dict]) -> str:
    e = html.escape
    ev = a["evaluation"]
    head = (f'<div class="q">Q{a["index"]}. {e(a["question"])}</div>'
            f'<div class="meta">{e(ROUND.get(a["round"], a["round"]))} round · {e(a["status"])}</div>')
    if not ev:
        return f'<div class="card">{head}</div>'
    tips = "".join(f"<li>{e(t)}</li>" for t in ev["tips"])
    flags = "".join(f'<div class="flag">Flag: {e(f["label"])}</div>' for f in ev["flags"])
    d = a.get("delivery")
    delivery = (f'<div class="meta">{d["words_per_minute"]:.0f} words/min · {d["filler_count"]} fillers · '
                f'{len(d["long_pauses"])} long pauses · {d["duration_s"]:.0f} s</div>') if d else ""
    table = ""
    if len(attempts) > 1:
        rows = "".join(
            f'<tr><td>{e(t["created_at"][:16].replace("T", " "))}</td><td>#{t["session_id"]}</td>'
            f'<td>{t["evaluation"]["scores"]["hr"]}</td><td>{t["evaluation"]["scores"]["hiring_manager"]}</td>'
            f'<td>{e(ROUND[t["evaluation"]["suits"]])}</td><td>{e(t["transcript"][:90])}</td></tr>'
            for t in attempts if t["evaluation"])
        table = ("<details open><summary>All attempts at this question</summary><table><tr><th>when</th>"
                 "<th>session</th><th>HR</th><th>HM</th><th>suits</th><th>answer</th></tr>" + rows + "</table></details>")
    return (f'<div class="card">{head}<p>{highlight_html(a["transcript"], ev)}</p>'
            f'<div class="verdict suits-{e(ev["suits"])}">{e(ev["verdict"])}</div>'
            f'<div class="meta">HR {ev["scores"]["hr"]}/100 · hiring manager {ev["scores"]["hiring_manager"]}/100</div>'
            f'{flags}{delivery}<ol>{tips}</ol>{_audio_tag(a.get("audio_path"))}{table}</div>')


def render_html(sessions: list[dict], all_sessions: list[dict], attempts_by_question: dict[str, list[dict]]) -> str:
    """The report: a card per answer of ``sessions`` and progress charts over ``all_sessions``."""
    e = html.escape
    body = []
    for s in sessions:
        answered = [a for a in s["answers"] if a["evaluation"]]
        labels = [f"Q{a['index']}" for a in answered]
        chart = _svg_bars(labels, {"HR": [a["evaluation"]["scores"]["hr"] for a in answered],
                                   "hiring manager": [a["evaluation"]["scores"]["hiring_manager"] for a in answered]},
                          f"Scores per question, session #{s['id']}") if answered else ""
        cards = "".join(_card(a, attempts_by_question.get(a["question_id"], [])) for a in s["answers"])
        body.append(f'<h2>Session #{s["id"]} · {e(s["started_at"][:16].replace("T", " "))} · {e(s["mode"])} · '
                    f'{e(s["status"])}</h2>{chart}{cards}')
    labels = [f"#{s['id']}" for s in all_sessions]
    progress = _svg_lines(labels, {"HR score": [s["average_scores"]["hr"] for s in all_sessions],
                                   "hiring-manager score": [s["average_scores"]["hiring_manager"] for s in all_sessions]},
                          "Average scores over sessions", 100)
    pace = _svg_lines(labels, {"words per minute": [s["words_per_minute"] for s in all_sessions]},
                      "Words per minute over sessions", 250)
    fillers = _svg_lines(labels, {"fillers per minute": [s["fillers_per_minute"] for s in all_sessions]},
                         "Filler words per minute over sessions", 10)
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:; media-src data:\">"
            f"<title>voicecoach report</title><style>{_CSS}</style></head><body><h1>voicecoach report</h1>"
            f"<h2>Progress</h2>{progress}{pace}{fillers}{''.join(body)}</body></html>")


def export(sessions: list[dict], fmt: str) -> str:
    """All sessions with their answers as ``json``, ``csv`` (one row per answer) or ``md``."""
    if fmt == "json":
        return json.dumps(sessions, indent=2, ensure_ascii=False)
    rows = [(s, a) for s in sessions for a in s["answers"]]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["session_id", "started_at", "mode", "session_status", "index", "question_id", "round", "question",
                    "status", "transcript", "suits", "score_hr", "score_hiring_manager", "flags", "words_per_minute",
                    "fillers_per_minute", "tips"])
        for s, a in rows:
            ev, d = a["evaluation"] or {}, a["delivery"] or {}
            w.writerow([s["id"], s["started_at"], s["mode"], s["status"], a["index"], a["question_id"], a["round"],
                        a["question"], a["status"], a["transcript"], ev.get("suits", ""),
                        ev.get("scores", {}).get("hr", ""), ev.get("scores", {}).get("hiring_manager", ""),
                        ";".join(f["id"] for f in ev.get("flags", [])), d.get("words_per_minute", ""),
                        d.get("fillers_per_minute", ""), " | ".join(ev.get("tips", []))])
        return buf.getvalue()
    if fmt == "md":
        out = ["# voicecoach history", ""]
        for s in sessions:
            out += [f"## Session {s['id']} ({s['started_at'][:16].replace('T', ' ')}, {s['mode']}, {s['status']})", ""]
            for a in s["answers"]:
                ev = a["evaluation"]
                out.append(f"### Q{a['index']}. {a['question']}")
                out.append(f"*{ROUND.get(a['round'], a['round'])} round, {a['status']}*")
                if ev:
                    out += ["", f"> {a['transcript']}", "", f"**{ev['verdict']}** HR {ev['scores']['hr']}, "
                            f"hiring manager {ev['scores']['hiring_manager']}"]
                    out += [f"- {t}" for t in ev["tips"]]
                out.append("")
        return "\n".join(out)
    raise ValueError(fmt)
