"""Evaluations, answers and sessions as text: one rendering for ``evaluate``, the live view, ``show``
and the Markdown export (the HTML report uses the same pieces through its template).

Everything a candidate said is passed through ``inert`` first, so escape sequences and control
characters in a transcript are shown, never obeyed by the terminal.
"""

from __future__ import annotations

import re

from ..rules.evaluate import Evaluation
from .records import Answer, SessionRecord, Summary

__all__ = ["ROUND", "SIGNAL_MARKS", "signal_mark", "inert", "evidence_spans", "segments", "highlight",
           "highlight_terminal", "scores_text", "delivery_text",
           "evaluation_lines", "insights_lines", "summary_lines", "session_row", "SESSION_HEADER", "answer_heading",
           "SUITS"]

ROUND = {"hr": "HR", "hiring_manager": "hiring-manager", "both": "both rounds", "neither": "neither round"}
"""How each round (and verdict) is written in prose: one spelling everywhere ("the hiring-manager round").
In JSON and the history the ids are ``hr`` and ``hiring_manager``; the command line takes ``hiring-manager``."""
SUITS = {"hr": "the HR round", "hiring_manager": "the hiring-manager round", "both": "both rounds",
         "neither": "neither round yet"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """``text`` with control characters (ESC, BEL, CR...) shown as ``\\xNN`` instead of acted on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def evidence_spans(ev: Evaluation | None) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every evidence quote, merged where they overlap; kind is ``flag`` or ``signal``."""
    if ev is None:
        return []
    spans = [(e.start, e.end, "signal") for s in ev.signals if s.found for e in s.evidence]
    spans += [(f.evidence.start, f.evidence.end, "flag") for f in ev.flags if f.evidence]
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


def segments(text: str, ev: Evaluation | None) -> list[tuple[str, str | None]]:
    """``text`` cut into (part, kind) stretches: kind ``signal`` or ``flag`` for evidence, else None."""
    out, pos = [], 0
    for s, e, kind in evidence_spans(ev):
        out += [(text[pos:s], None), (text[s:e], kind)]
        pos = e
    out.append((text[pos:], None))
    return [(part, kind) for part, kind in out if part]


def highlight(text: str, ev: Evaluation | None, mark) -> str:
    """``text`` with ``mark(part, kind)`` applied to every stretch (kind None outside evidence)."""
    return "".join(mark(part, kind) for part, kind in segments(text, ev))


def highlight_terminal(text: str, ev: Evaluation | None, color: bool) -> str:
    """The transcript with evidence underlined (flags in red) on a terminal, or in [brackets] elsewhere."""
    def mark(part, kind):
        part = inert(part)
        if kind is None:
            return part
        if not color:
            return f"[{part}]" if kind == "signal" else f"[!{part}!]"
        return f"\x1b[4m{part}\x1b[0m" if kind == "signal" else f"\x1b[31;4m{part}\x1b[0m"
    return highlight(text, ev, mark)


def scores_text(ev: Evaluation) -> str:
    """``HR round 70/100, hiring-manager round 20/100 (suits the HR round, 91% sure)``."""
    d = ev.decision or {}
    sure = f", {round(100 * d['confidence'])}% sure" if d.get("confidence") is not None else ""
    return (f"HR round {ev.scores['hr']}/100, hiring-manager round {ev.scores['hiring_manager']}/100 "
            f"(suits {SUITS[ev.suits]}{sure})")


def delivery_text(ev: Evaluation) -> str | None:
    """Pace, fillers, pauses and length, or None without word timings."""
    d = ev.delivery
    if d is None:
        return None
    return (f"{d.words_per_minute:.0f} words/min, {d.filler_count} fillers, {len(d.long_pauses)} long pauses, "
            f"{d.duration_s:.0f} s, {d.word_count} words")


SIGNAL_MARKS = {"found": "+", "partly": "~", "close": "~", "missing": "-", "absent": "-", "not_asked": " "}
"""How each signal status is marked in plain text: shown, partly there (``close`` in records before 0.9),
missing, not asked."""


def signal_mark(s) -> tuple[str, str]:
    """The mark and the note after the label for a signal that has no quote of its own: one partly there
    says so, one the question does not invite says so (it is not a fault)."""
    status = s.status or ("found" if s.found else "missing")
    if status == "partly":
        return "~", "  (partly there)"
    if status == "close" and s.near is not None:
        return "~", f'  close: "{inert(s.near.text)}"'
    if status == "not_asked":
        return "·", "  (not asked by this question)"
    return SIGNAL_MARKS.get(status, "+" if s.found else "-"), ""


def evaluation_lines(ev: Evaluation, transcript: str | None = None, both_rounds: bool = False,
                     markdown: bool = False) -> list[str]:
    """The evaluation, line by line: verdict and scores, flags, signals with their quotes, delivery, tips.

    Args:
        ev: the evaluation.
        transcript: the answer as it should be shown (already highlighted), or None to leave it out.
        both_rounds: list both rounds' signals (``evaluate``) rather than the asked round's only.
        markdown: Markdown (for the export) instead of aligned plain text.
    """
    b = "**" if markdown else ""
    lines = []
    if transcript is not None:
        lines.append(f"> {transcript}" if markdown else f"Answer:   {transcript}")
        lines.append("")
    lines.append(f"{b}Verdict:{b}  {inert(ev.verdict)}  {scores_text(ev)}")
    for f in ev.flags:
        lines.append(f"{b}Flag:{b}     {f.label}" + (f' - "{inert(f.evidence.text)}"' if f.evidence else ""))
    rounds = ("hr", "hiring_manager") if both_rounds else (ev.round,)
    for rnd in rounds:
        lines.append(f"{ROUND[rnd]} round signals:" if both_rounds else "Signals:")
        for s in (s for s in ev.signals if s.round == rnd):
            mark, note = signal_mark(s)
            if s.evidence:
                note = f'  "{inert(s.evidence[0].text)}"' + (" (in the follow-up)" if s.evidence[0].part else "")
            lines.append(f"{'- ' if markdown else '  '}{mark} {s.label}{note}")
    delivery = delivery_text(ev)
    if delivery:
        lines.append(f"{b}Delivery:{b} {delivery}")
    if ev.tips:
        lines.append(f"{b}Tips:{b}")
        lines += [f"{'' if markdown else '  '}{i}. {inert(t)}" for i, t in enumerate(ev.tips, 1)]
    return lines


def insights_lines(a: Answer) -> list[str]:
    """What the answer's words show: most used, repeats, hedges, talking points, job terms used."""
    i = a.insights
    if i is None:
        return []
    bits = []
    if i.top_words:
        bits.append("most used " + ", ".join(f"{w} x{n}" for w, n in i.top_words[:4]))
    if i.hedges:
        counts = {}
        for h in i.hedges:
            counts[h.text.lower()] = counts.get(h.text.lower(), 0) + 1
        bits.append("hedges " + ", ".join(f'"{inert(k)}" x{n}' for k, n in counts.items()))
    if i.repeats:
        bits.append(f'repeated "{inert(i.repeats[0].text)}"')
    lines = [f"Words:    {'; '.join(bits)}"] if bits else []
    if i.talking_points:
        lines.append("Covered:  " + "; ".join(f'{k} ("{inert(v[0].text)}")' for k, v in i.talking_points.items()))
    if i.job_terms_used:
        lines.append("Job terms used: " + ", ".join(i.job_terms_used))
    if len(a.parts) > 1:
        lines += [f"Follow-up asked: {inert(p.prompt)}" for p in a.parts if p.kind == "follow_up"]
    return lines


def summary_lines(summary: Summary) -> list[str]:
    """The end-of-session summary."""
    avg = summary.average_scores
    lines = ["Summary", f"  answered {summary.answered} of {summary.questions}, skipped {summary.skipped}, "
             f"suited their round: {summary.suited_round}"]
    parts = [f"{ROUND[r]} round {avg[r]}" for r in ("hr", "hiring_manager") if avg[r] is not None]
    if parts:
        lines.append("  average score, each round's own questions: " + ", ".join(parts))
    for v in summary.verdicts:
        lines.append(f"  Q{v['index']} ({ROUND[v['round']]} round): {v['status']}"
                     + (f", suits {SUITS[v['suits']]}" if v["suits"] else ""))
    if summary.top_tip:
        lines.append(f"  work on: {summary.top_tip}")
    if summary.top_words:
        lines.append("  most used words: " + ", ".join(f"{w} x{n}" for w, n in summary.top_words[:6]))
    if summary.job_terms_missing:
        lines.append("  job terms you never mentioned: " + ", ".join(summary.job_terms_missing))
    return lines


SESSION_HEADER = (f"{'id':>4}  {'date (UTC)':<16}  {'mode':<8} {'round':<14} {'role':<18} ans    HR   HM  "
                  f"{'status':<12} flags")


def session_row(s: SessionRecord) -> str:
    """One line of ``voicecoach history``."""
    summary = s.summary
    avg = summary.average_scores
    score = lambda v: "-" if v is None else str(v)  # noqa: E731
    flags = ", ".join(f"{k} x{v}" for k, v in summary.flags.items()) or "-"
    return (f"{s.id:>4}  {s.started_at[:16].replace('T', ' '):<16}  {s.mode:<8} "
            f"{inert(str(s.settings.get('round') or '-')):<14} {inert(str(s.settings.get('role') or '-')):<18} "
            f"{summary.answered:>3}   {score(avg['hr']):>3}  {score(avg['hiring_manager']):>3}  {s.status:<12} {flags}")


def answer_heading(a: Answer) -> str:
    """``Q2 (HR round, answered): Why do you want to work here?``."""
    return f"Q{a.index} ({ROUND.get(a.round, a.round)} round, {a.status}): {inert(a.question)}"

