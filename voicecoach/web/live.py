"""One interview held through the page: the settings come in over the WebSocket, the interview runs on its
own thread with the page as microphone and speaker, and what happens goes back to the page as JSON.

The interview is the one the terminal runs (``voicecoach.app.session``); ``PageView`` is its observer
here as ``cli.view.TerminalView`` is there, and the command buttons press the same commands the voice
gives (``interview.pressed``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ..errors import UnknownRole, UsageError, VoicecoachError
from ..history.render import ROUND, SUITS, delivery_text, insights_lines, segments, summary_lines
from ..interview.events import (
    AnswerEvaluated,
    CommandObeyed,
    Info,
    Level,
    Partial,
    PromptSpoken,
    QuestionAsked,
    SessionEnded,
    StateChanged,
)
from ..interview.pressed import PressedCommands
from .browser_audio import BrowserMicrophone, BrowserPlayer, PageClock

__all__ = ["Outbox", "PageView", "LiveSession", "settings_from", "answer_message", "MAX_UPLOAD_BYTES"]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
"""A job advert or CV sent from the page is refused above this size (as ``--job`` refuses a bigger file)."""
_LEVEL_EVERY_S = 0.1
"""The input level is sent at most this often (the page redraws its meter each time; every chunk would be
31 redraws a second, which a busy machine feels)."""


class Outbox:
    """Messages for the page, put from any thread, sent by the WebSocket's task on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue = asyncio.Queue()

    def put(self, message: bytes | dict) -> None:
        """Queue ``message`` (bytes for audio, a dict for JSON)."""
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, message)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass


def answer_message(a, audio_url: str | None) -> dict:
    """An evaluated answer as the page shows it: the record's JSON, the evidence to highlight, the lines."""
    ev = a.evaluation
    return {"type": "answer", "answer": a.to_json(), "round_name": ROUND.get(a.round, a.round),
            "segments": [[text, kind] for text, kind in segments(a.transcript, ev)] if ev else [],
            "suits_text": SUITS.get(ev.suits, ev.suits) if ev else None,
            "delivery": delivery_text(ev) if ev else None,
            "insights": [ln for ln in insights_lines(a) if not ln.startswith("Follow-up asked")],
            "audio_url": audio_url}


class PageView:
    """The interview's events as JSON messages for the page (an observer; it only queues, never waits)."""

    def __init__(self, send, session: "LiveSession") -> None:
        self.send, self.session = send, session
        self._level_at = 0.0
        self.state = ""

    def notify(self, event) -> None:
        """Turn one event into a message."""
        match event:
            case StateChanged(state=state):
                self.state = state
                self.session.state_changed(state)
                self.send({"type": "state", "state": state})
            case QuestionAsked(index=i, total=n, question=q):
                self.session.timing_of_last_answer()
                self.send({"type": "question", "index": i, "total": n, "text": q.text, "round": q.round,
                           "round_name": ROUND.get(q.round, q.round), "role": q.role, "kind": q.type})
            case PromptSpoken(index=i, kind=kind, text=text):
                self.send({"type": "prompt", "index": i, "kind": kind, "text": text})
            case Level(level=level, elapsed_s=elapsed):
                now = time.monotonic()
                if now - self._level_at >= _LEVEL_EVERY_S:
                    self._level_at = now
                    self.send({"type": "level", "level": round(level, 4), "elapsed_s": round(elapsed, 2)})
            case Partial(text=text):
                self.send({"type": "partial", "text": text})
            case CommandObeyed(command=command, heard=heard):
                self.send({"type": "command", "command": command, "heard": heard})
            case AnswerEvaluated(answer=a):
                self.session.last_answer = a.index
                url = f"/audio/{a.session_id}/{a.index}" if a.session_id and a.audio_path else None
                self.send(answer_message(a, url))
            case Info(text=text):
                self.send({"type": "info", "text": text.strip()})
            case SessionEnded(summary=summary):
                self.session.timing_of_last_answer()
                self.send({"type": "summary", "summary": summary.to_json(), "lines": summary_lines(summary),
                           "session_id": self.session.session_id()})


def _int(form: dict, key: str, default: int | None, field: str) -> int | None:
    value = form.get(key, default)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UsageError(f"{field} must be a whole number, not {value!r}",
                         f"e.g. {default if default is not None else 1}")


def _upload(form: dict, key: str, folder: Path, label: str) -> str | None:
    """A job advert or CV from the page (pasted text, or a file read by the page) as a file ``tailor`` reads."""
    item = form.get(key)
    if not item:
        return None
    if isinstance(item, str):
        item = {"text": item}
    if item.get("text", "").strip():
        data, suffix = item["text"].encode("utf-8"), ".txt"
    elif item.get("data"):
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (binascii.Error, ValueError):
            raise UsageError(f"the {label} file could not be read", "choose the file again") from None
        suffix = Path(str(item.get("name") or "")).suffix.lower()
        if suffix not in (".txt", ".md", ".pdf", ".text", ".markdown"):
            raise UsageError(f"the {label} must be text, Markdown or PDF, not {suffix or 'a file without a type'}",
                             "paste the text instead, or save it as .txt or .pdf")
    else:
        return None
    if len(data) > MAX_UPLOAD_BYTES:
        raise UsageError(f"the {label} is over 2 MB", "paste only the advert's text")
    path = folder / f"{label.replace(' ', '-')}{suffix}"
    path.write_bytes(data)
    return str(path)


def settings_from(form: dict, folder: Path, mode: str = "practice"):
    """``PracticeSettings`` from the page's form (checked there as for the command line).

    Raises:
        UsageError, UnknownRole: a value the page should show next to its field.
    """
    from ..app.settings import PracticeSettings

    end_silence = form.get("end_silence") or None  # empty: judged at each pause (audio/endpoint.py)
    try:
        end_silence = None if end_silence is None else float(end_silence)
    except (TypeError, ValueError):
        raise UsageError(f"the end silence must be a number of seconds, not {end_silence!r}",
                         "e.g. 2.5, or leave it empty to have each pause judged") from None
    return PracticeSettings(
        round=str(form.get("round") or "mixed"),
        role=(str(form.get("role")).strip() or None) if form.get("role") else None,
        questions=_int(form, "questions", 5, "questions"), seed=_int(form, "seed", None, "seed"),
        follow_ups=_int(form, "follow_ups", 1, "follow-ups"), intro=str(form.get("intro") or "auto"),
        feedback=str(form.get("feedback") or "spoken"), end_silence_s=end_silence,
        voice=(str(form.get("voice")) or None) if form.get("voice") else None, mode=mode,
        job=_upload(form, "job", folder, "job advert"), cv=_upload(form, "cv", folder, "CV"))


class LiveSession:
    """One interview for one page: started by the page's ``start`` message, run on a thread.

    Args:
        send: puts a message for the page (``Outbox.put``).
        clock: the page's clock.
        on_end: called (on the interview's thread) when the interview is over.
    """

    def __init__(self, send, clock: PageClock, on_end=None) -> None:
        self.send, self.clock, self.on_end = send, clock, on_end
        self.mic = BrowserMicrophone(clock)
        self.player = BrowserPlayer(send, clock)
        self.pressed = PressedCommands()
        self.view = PageView(send, self)
        self.interview = None
        self.thread: threading.Thread | None = None
        self.last_answer: int | None = None
        self._timed: set[int] = set()
        self._folder: Path | None = None

    @property
    def running(self) -> bool:
        """True while the interview's thread runs."""
        return self.thread is not None and self.thread.is_alive()

    def start(self, message: dict) -> None:
        """Check the settings and start the interview on its thread; a bad setting goes back to the page."""
        mode = "demo" if message.get("mode") == "demo" else "practice"
        # A job advert or CV sent by the page is kept in a private folder for the session, then deleted.
        self._folder = Path(tempfile.mkdtemp(prefix="voicecoach-web-"))
        try:
            settings = settings_from(message.get("settings") or {}, self._folder, mode)
        except VoicecoachError as exc:
            shutil.rmtree(self._folder, ignore_errors=True)
            if isinstance(exc, UnknownRole):
                self.send({"type": "error", "field": "role", "message": exc.message, "fix": exc.fix,
                           "closest": [o.title for o in exc.closest]})
            else:
                self.send({"type": "error", "message": exc.message, "fix": exc.fix})
            return
        self.mic.available = bool(message.get("microphone")) or mode == "demo"
        self.thread = threading.Thread(target=self._run, args=(settings, mode), name="voicecoach-web-interview",
                                       daemon=True)
        self.thread.start()

    def _run(self, settings, mode: str) -> None:
        from ..app.session import build_demo, build_practice

        status = None
        try:
            progress = lambda line: self.send({"type": "progress", "text": line})  # noqa: E731
            if mode == "demo":
                self.interview = build_demo(settings, [self.view], realtime=True, progress=progress,
                                            player=self.player, pressed=self.pressed)
            else:
                self.interview = build_practice(settings, [self.view], progress=progress, mic=self.mic,
                                                player=self.player, pressed=self.pressed)
            self.send({"type": "started", "mode": mode, "questions": len(self.interview.questions),
                       "settings": settings.to_json()})
            record = self.interview.run()
            status = record.status
            problem = self.interview.recorder.storage_error
            self.send({"type": "finished", "status": status, "session_id": record.id,
                       **({"message": problem.message, "fix": problem.fix} if problem else {})})
        except VoicecoachError as exc:
            self.send({"type": "error", "message": exc.message, "fix": exc.fix, "kept": self._kept()})
        except Exception as exc:  # noqa: BLE001 - the page must hear of it; the server goes on
            self.send({"type": "error", "message": f"the interview stopped: {exc.__class__.__name__}: {exc}",
                       "fix": "start again; if it happens again, run `voicecoach doctor`", "kept": self._kept()})
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
            if self.on_end:
                self.on_end(self)

    def _kept(self) -> str:
        rec = self.interview.recorder.record if self.interview is not None else None
        if rec is None:
            return ""
        answered = sum(a.answered for a in rec.answers)
        return f"{answered} answer(s) kept" + (f" in session {rec.id}" if rec.id else "")

    def session_id(self) -> int | None:
        """The history's id of the session under way."""
        return self.interview.recorder.record.id if self.interview is not None else None

    def timing_of_last_answer(self) -> None:
        """Send the latency of the answer just given (once its verdict was heard): from the end of the
        candidate's speech to the verdict heard, minus the end silence, as the interview measured it."""
        if self.interview is None or self.last_answer is None or self.last_answer in self._timed:
            return
        self._timed.add(self.last_answer)
        answer = next((a for a in self.interview.recorder.record.answers if a.index == self.last_answer), None)
        if answer is None:
            return
        t = answer.timings
        self.send({"type": "timing", "index": answer.index, "after_end_silence_s": t.get("after_end_silence_s"),
                   "last_speech_to_feedback_s": t.get("last_speech_to_feedback_s"),
                   "end_detected_to_feedback_s": t.get("end_detected_to_feedback_s")})

    def state_changed(self, state: str) -> None:
        """Listening again after the candidate ended the interview mid-sentence: the voice comes back
        (for the summary)."""
        if state == "listening":
            self.player.mute(False)

    def press(self, name: str) -> None:
        """A command button: obeyed by the interview at its next microphone chunk. Ending while the
        interviewer speaks silences it at once."""
        if name == "stop" and self.view.state == "speaking":
            self.player.mute(True)
        self.pressed.press(name)

    def page_says(self, message: dict) -> None:
        """The page's reports about the speech it plays."""
        self.player.page_says(message)

    def close(self) -> None:
        """The page went away: the interview ends as a failed device would end it, keeping every answer."""
        self.mic.close("the page was closed")
        self.player.close()
