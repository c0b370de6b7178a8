"""What the candidate sees: a live terminal view, or plain log lines when stdout is not a terminal."""

from __future__ import annotations

import shutil
import sys
import time

from .session import SessionObserver

__all__ = ["TerminalView", "LogView", "make_view"]

_STATES = {"speaking": "interviewer speaking", "listening": "listening", "hearing": "hearing you",
           "transcribing": "transcribing", "paused": "paused", "done": "done"}


def _evaluation_lines(rec: dict) -> list[str]:
    ev = rec["evaluation"]
    lines = [f"  You said: {rec['transcript']}",
             f"  Verdict:  {ev['verdict']}  (HR {ev['scores']['hr']}, hiring manager {ev['scores']['hiring_manager']})"]
    for f in ev["flags"]:
        lines.append(f"  Flag:     {f['label']}" + (f' - "{f["evidence"]}"' if f["evidence"] else ""))
    for s in ev["signals"]:
        if s["round"] == ev["round"]:
            quote = f' "{s["evidence"][0]["text"]}"' if s["evidence"] else ""
            lines.append(f"    {'+' if s['found'] else '-'} {s['label']}{quote}")
    d = rec.get("delivery")
    if d:
        lines.append(f"  Delivery: {d['words_per_minute']:.0f} words/min, {d['filler_count']} fillers, "
                     f"{len(d['long_pauses'])} long pauses, {d['duration_s']:.0f} s")
    for i, tip in enumerate(ev["tips"], 1):
        lines.append(f"  Tip {i}:    {tip}")
    return lines


def _summary_lines(summary: dict) -> list[str]:
    avg = summary["average_scores"]
    lines = ["", "Summary", f"  answered {summary['answered']} of {summary['questions']}, skipped {summary['skipped']}, "
             f"suited their round: {summary['suited_round']}"]
    if avg["hr"] is not None:
        lines.append(f"  average scores: HR {avg['hr']}, hiring manager {avg['hiring_manager']}")
    for v in summary["verdicts"]:
        lines.append(f"  Q{v['index']} ({v['round'].replace('_', '-')}): {v['status']}"
                     + (f", suits {v['suits'].replace('_', '-')}" if v["suits"] else ""))
    if summary["top_tip"]:
        lines.append(f"  work on: {summary['top_tip']}")
    return lines


class LogView(SessionObserver):
    """One line per event, for logs and pipes."""

    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self._state = None

    def _p(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def on_state(self, state: str) -> None:
        if state != self._state and state in ("transcribing", "paused"):
            self._p(f"[{_STATES[state]}]")
        self._state = state

    def on_question(self, index, total, question) -> None:
        self._p(f"\nQuestion {index + 1}/{total} ({question.round.replace('_', '-')}, {question.role}): {question.text}")

    def on_command(self, command, heard) -> None:
        self._p(f"[command: {command}] (heard \"{heard}\")")

    def on_evaluation(self, index, rec) -> None:
        for line in _evaluation_lines(rec):
            self._p(line)

    def on_info(self, text) -> None:
        self._p(text)

    def on_summary(self, summary) -> None:
        for line in _summary_lines(summary):
            self._p(line)


class TerminalView(LogView):
    """A live status line: state, input level meter, elapsed answer time, the transcript forming."""

    def __init__(self, out=None) -> None:
        super().__init__(out)
        self._partial = ""
        self._last_draw = 0.0
        self._level, self._elapsed = 0.0, 0.0

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((100, 20)).columns
        bars = min(10, int(self._level * 60))
        meter = "#" * bars + "." * (10 - bars)
        m, s = divmod(int(self._elapsed), 60)
        head = f"[{_STATES.get(self._state, self._state or ''):<20}] [{meter}] {m:02d}:{s:02d} "
        tail = self._partial[-max(0, width - len(head) - 2):]
        self.out.write("\r\x1b[2K" + head + tail)
        self.out.flush()

    def _p(self, line: str) -> None:
        self.out.write("\r\x1b[2K")
        super()._p(line)

    def on_state(self, state: str) -> None:
        self._state = state
        self._draw(force=True)

    def on_level(self, level, elapsed_s) -> None:
        self._level, self._elapsed = level, elapsed_s
        self._draw()

    def on_partial(self, text) -> None:
        self._partial = text
        self._draw(force=True)

    def on_question(self, index, total, question) -> None:
        self._partial = ""
        super().on_question(index, total, question)


def make_view(out=None) -> LogView:
    """The live view on a terminal, plain lines otherwise."""
    out = out or sys.stdout
    return TerminalView(out) if out.isatty() else LogView(out)
