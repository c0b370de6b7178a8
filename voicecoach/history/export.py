"""The history exported as JSON (the session schema), CSV (one row per answer) or Markdown."""

from __future__ import annotations

import csv
import io
import json

from .records import SessionRecord
from .render import ROUND, evaluation_lines, inert, insights_lines

__all__ = ["export", "FORMATS"]

FORMATS = ("json", "csv", "md")


def export(sessions: list[SessionRecord], fmt: str) -> str:
    """All sessions with their answers as ``json``, ``csv`` or ``md``."""
    if fmt == "json":
        return json.dumps([s.to_json() for s in sessions], indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["session_id", "started_at", "mode", "session_status", "index", "question_id", "round", "question",
                    "status", "transcript", "suits", "score_hr", "score_hiring_manager", "flags", "words_per_minute",
                    "fillers_per_minute", "tips", "follow_ups", "most_used_words", "hedges", "job_terms_used"])
        for s in sessions:
            for a in s.answers:
                ev = a.evaluation
                d = ev.delivery if ev else None
                w.writerow([s.id, s.started_at, s.mode, s.status, a.index, a.question_id, a.round, inert(a.question),
                            a.status, inert(a.transcript), ev.suits if ev else "", ev.scores["hr"] if ev else "",
                            ev.scores["hiring_manager"] if ev else "", ";".join(f.id for f in ev.flags) if ev else "",
                            d.words_per_minute if d else "", d.fillers_per_minute if d else "",
                            " | ".join(ev.tips) if ev else "",
                            " | ".join(inert(p.prompt) for p in a.parts if p.kind == "follow_up"),
                            ";".join(f"{w}:{n}" for w, n in a.insights.top_words) if a.insights else "",
                            len(a.insights.hedges) if a.insights else "",
                            ";".join(a.insights.job_terms_used) if a.insights else ""])
        return buf.getvalue()
    if fmt == "md":
        out = ["# voicecoach history", ""]
        for s in sessions:
            out += [f"## Session {s.id} ({s.started_at[:16].replace('T', ' ')}, {s.mode}, {s.status})", ""]
            if s.summary.job_terms_missing:
                out += [f"Job terms never mentioned: {', '.join(s.summary.job_terms_missing)}", ""]
            for a in s.answers:
                out.append(f"### Q{a.index}. {inert(a.question)}")
                out.append(f"*{ROUND.get(a.round, a.round)} round, {a.status}*")
                if a.evaluation:
                    out.append("")
                    out += evaluation_lines(a.evaluation, inert(a.transcript), markdown=True)
                    out += [f"- {line}" for line in insights_lines(a)]
                out.append("")
        return "\n".join(out)
    raise ValueError(f"unknown export format {fmt!r}")
