"""What the candidate sees: a live terminal view, or plain log lines when stdout is not a terminal."""

from __future__ import annotations

import shutil
import sys
import time

from ..history.render import ROUND, evaluation_lines, inert, insights_lines, summary_lines
from ..interview.events import (
    AnswerEvaluated,
    CommandObeyed,
    Event,
    Info,
    Level,
    Partial,
    PromptSpoken,
    QuestionAsked,
    SessionEnded,
    StateChanged,
)
from .output import live_terminal

__all__ = ["TerminalView", "LogView", "make_view"]

_STATES = {"speaking": "interviewer speaking", "listening": "listening", "hearing": "hearing you",
           "transcribing": "transcribing", "paused": "paused", "done": "done"}


def _source(role: str) -> str:
    """Where a question comes from, in words."""
    return {"generic": "for any job", "this job": "from the job advert"}.get(role, role.replace("_", " "))


class LogView:
    """One line per event, for logs and pipes."""

    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self._state = None

    def _p(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def notify(self, event: Event) -> None:
        """Show one event."""
        match event:
            case StateChanged(state=state):
                self.on_state(state)
            case QuestionAsked(index=i, total=n, question=q):
                self.on_question()
                self._p(f"\nQuestion {i + 1}/{n} ({ROUND[q.round]} round, {_source(q.role)}): {q.text}")
            case PromptSpoken(kind="follow_up", text=text):
                self._p(f"  Follow-up: {text}")
            case PromptSpoken(kind="continued", text=text):
                self._p(f"  {text}")
            case CommandObeyed(command=command, heard=heard):
                self._p(f"[command: {command}] (heard \"{inert(heard)}\")")
            case AnswerEvaluated(answer=a):
                self._p(f"  You said: {inert(a.transcript)}")
                for line in evaluation_lines(a.evaluation) + insights_lines(a):
                    self._p("  " + line)
            case Info(text=text):
                self._p(text)
            case SessionEnded(summary=summary):
                self._p("")
                for line in summary_lines(summary):
                    self._p(line)
            case Level(level=level, elapsed_s=elapsed):
                self.on_level(level, elapsed)
            case Partial(text=text):
                self.on_partial(text)

    def on_state(self, state: str) -> None:
        """Only the states worth a line of their own."""
        if state != self._state and state in ("transcribing", "paused"):
            self._p(f"[{_STATES[state]}]")
        self._state = state

    def on_question(self) -> None:
        """A new question starts."""

    def on_level(self, level: float, elapsed_s: float) -> None:
        """The input level (not shown in a log)."""

    def on_partial(self, text: str) -> None:
        """The transcript so far (not shown in a log)."""


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
        tail = inert(self._partial)[-max(0, width - len(head) - 2):]
        self.out.write("\r\x1b[2K" + head + tail)
        self.out.flush()

    def _p(self, line: str) -> None:
        self.out.write("\r\x1b[2K")
        super()._p(line)

    def on_state(self, state: str) -> None:
        self._state = state
        self._draw(force=True)

    def on_level(self, level: float, elapsed_s: float) -> None:
        self._level, self._elapsed = level, elapsed_s
        self._draw()

    def on_partial(self, text: str) -> None:
        self._partial = text
        self._draw(force=True)

    def on_question(self) -> None:
        self._partial = ""


def make_view(out=None) -> LogView:
    """The live view on a terminal, plain lines otherwise (and on a terminal that says ``TERM=dumb``, which
    shows cursor codes as litter)."""
    out = out or sys.stdout
    return TerminalView(out) if live_terminal(out) else LogView(out)
