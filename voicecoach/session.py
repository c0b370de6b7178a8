"""The hands-free mock interview: ask, listen, transcribe, evaluate, give feedback, summarise.

The session talks only to interfaces: ``TextToSpeech``, ``Player``, ``Microphone``, ``Transcriber``
and observers (the terminal view, the demo's scripted candidate). Every answer is written to the
JSON record the moment it is evaluated, so Ctrl-C or a failing device loses nothing already said.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .asr import Transcriber
from .asr.background import BackgroundTranscriber
from .commands import COMMAND_PROMPT, MAX_COMMAND_S, Command, parse_command
from .errors import AudioDeviceFailed
from .listen import AnswerEnded, Listener, ListenOptions, LongSilence, SpeechStarted, UtteranceEnded
from .mic import Microphone
from .rules.evaluate import evaluate
from .rules.questions import Question
from .snd import Player
from .tts import TextToSpeech
from .vad import SileroVad

__all__ = ["PracticeOptions", "PracticeSession", "SessionObserver"]

INTRO = ("Welcome to your practice interview. I will ask {n} questions. Answer out loud, and pause for a "
         "few seconds when you have finished. You can say: repeat, slower, skip, pause, resume, "
         "I'm done, or end the interview.")


@dataclass(frozen=True)
class PracticeOptions:
    """How the interview runs."""

    feedback: str = "spoken"
    """``spoken`` (verdict and top tip aloud, detail on screen), ``screen`` or ``end`` (summary only)."""
    listen: ListenOptions = ListenOptions()
    slow_rate_wpm: int = 120
    """Speaking rate for "slower"."""
    echo_guard_s: float = 0.3
    """Extra microphone audio dropped after voicecoach speaks (room echo)."""
    max_prompts: int = 3
    """Long-silence prompts before a question is recorded as not answered."""
    intro: bool = True
    intro_text: str | None = None
    """Replaces the standard spoken introduction."""
    speak_tips: bool = True
    """Speak the top tip after each verdict and in the summary (the demo keeps them on screen only)."""


class SessionObserver:
    """Receives what happens in a session; every method is optional."""

    def on_state(self, state: str) -> None: ...
    def on_question(self, index: int, total: int, question: Question) -> None: ...
    def on_question_spoken(self, index: int, question: Question) -> None: ...
    def on_level(self, level: float, elapsed_s: float) -> None: ...
    def on_partial(self, text: str) -> None: ...
    def on_command(self, command: str, heard: str) -> None: ...
    def on_evaluation(self, index: int, record: dict) -> None: ...
    def on_info(self, text: str) -> None: ...
    def on_summary(self, summary: dict) -> None: ...


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Stop(Exception):
    """The candidate ended the interview."""


class PracticeSession:
    """One interview."""

    def __init__(self, questions: list[Question], tts: TextToSpeech, player: Player, mic: Microphone,
                 transcriber: Transcriber, options: PracticeOptions = PracticeOptions(),
                 observers: list[SessionObserver] | None = None, json_out: str | Path | None = None,
                 settings: dict | None = None, store=None, keep_audio: bool = True) -> None:
        self.questions = questions
        self.tts, self.player, self.mic, self.transcriber = tts, player, mic, transcriber
        self.options = options
        self.observers = observers or []
        self.json_out = Path(json_out) if json_out else None
        self.store = store
        """A ``voicecoach.store.Store``: each answer is committed to it the moment it is evaluated."""
        self.keep_audio = keep_audio
        self.session_id: int | None = None
        self.listener = Listener(SileroVad(), options.listen)
        self.record: dict = {
            "version": 1, "started_at": _now(), "ended_at": None, "status": "running",
            "settings": settings or {}, "questions": [], "commands": [], "summary": None,
        }
        self._t0 = time.monotonic()

    # -- plumbing ---------------------------------------------------------------------------
    def _emit(self, name: str, *args) -> None:
        for o in self.observers:
            getattr(o, name, lambda *a: None)(*args)

    def _t(self) -> float:
        return round(time.monotonic() - self._t0, 3)

    def save(self) -> None:
        """Write the JSON record atomically (when ``json_out`` was given)."""
        if not self.json_out:
            return
        self.json_out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.json_out.with_suffix(self.json_out.suffix + ".tmp")
        tmp.write_text(json.dumps(self.record, indent=2, ensure_ascii=False))
        os.replace(tmp, self.json_out)

    def _persist(self, qrec: dict, audio=None) -> None:
        """Write the JSON record and commit this question to the history database."""
        self.save()
        if self.store is not None and self.session_id is not None:
            self.store.save_answer(self.session_id, qrec, audio if self.keep_audio else None)

    def _speak(self, text: str, rate_wpm: int | None = None) -> float:
        """Say ``text``; the microphone is ignored meanwhile. Returns when playback started (monotonic)."""
        self._emit("on_state", "speaking")
        tts = self.tts
        if rate_wpm and hasattr(tts, "rate_wpm"):
            tts = replace_rate(tts, rate_wpm)
        clip = tts.synthesize_clip(text)
        started = time.monotonic()
        self.player.play(clip)
        if self.player.is_real:
            time.sleep(self.options.echo_guard_s)
        self.mic.discard_pending()
        self.listener.reset()
        return started

    # -- the interview ----------------------------------------------------------------------
    def run(self) -> dict:
        """Hold the interview; returns the session record.

        Raises:
            KeyboardInterrupt, AudioDeviceFailed, NoAudioDevice: after saving what was answered.
        """
        n = len(self.questions)
        self._bg = BackgroundTranscriber(self.transcriber)
        self._chunks = None
        if self.store is not None:
            self.session_id = self.store.start_session(self.record["settings"].get("mode", "practice"),
                                                       self.record["settings"])
            self.record["session_id"] = self.session_id
        try:
            self._chunks = self.mic.chunks()
            if self.options.intro:
                self._speak(self.options.intro_text or INTRO.format(n=n))
            for i, q in enumerate(self.questions):
                try:
                    self._ask(i, q)
                except _Stop:
                    self.record["status"] = "stopped"
                    break
            if self.record["status"] == "running":
                self.record["status"] = "completed"
            self._finish()
        except KeyboardInterrupt:
            self.record["status"] = "interrupted"
            raise
        except AudioDeviceFailed:
            self.record["status"] = "device_failed"
            raise
        finally:
            self.record["ended_at"] = _now()
            if self.record["summary"] is None:
                self.record["summary"] = summarize(self.record)
            self.save()
            if self.store is not None and self.session_id is not None:
                self.store.end_session(self.session_id, self.record["status"])
            self._bg.close()
            if self._chunks is not None:
                self._chunks.close()
        return self.record

    def _next_chunk(self):
        try:
            return next(self._chunks)
        except StopIteration:
            raise AudioDeviceFailed("the microphone stream ended") from None

    def _ask(self, i: int, q: Question) -> None:
        qrec = {"index": i + 1, "id": q.id, "round": q.round, "role": q.role, "text": q.text, "status": None,
                "transcript": "", "words": [], "evaluation": None, "delivery": None, "commands": [], "timings": {}}
        self.record["questions"].append(qrec)
        self._emit("on_question", i, len(self.questions), q)
        spoken = f"Question {i + 1} of {len(self.questions)}. {q.text}"
        qrec["timings"]["asked_at_s"] = self._t()
        self._speak(spoken)
        self._emit("on_question_spoken", i, q)
        self._emit("on_state", "listening")
        paused, prompts, answer_utts = False, 0, []
        try:
            while True:
                chunk = self._next_chunk()
                events = self.listener.feed(chunk)
                self._emit("on_level", self.listener.level, self.listener.elapsed_s)
                for ev in events:
                    if isinstance(ev, SpeechStarted):
                        self._emit("on_state", "hearing")
                    elif isinstance(ev, LongSilence) and not paused and not self.listener.answer_started:
                        prompts += 1
                        if prompts > self.options.max_prompts:
                            qrec["status"] = "no_answer"
                            self._speak("Let's move on.")
                            return
                        self._speak("Take your time. Say repeat to hear the question again, or skip to move on.")
                        self._emit("on_state", "listening")
                    elif isinstance(ev, UtteranceEnded):
                        u = ev.utterance
                        cmd, heard = self._command(u, paused)
                        if cmd is not None:
                            self._record_command(qrec, cmd, heard)
                            if cmd is Command.DONE:
                                self._finalize(qrec, q, "done", answer_utts)
                                return
                            if cmd is Command.STOP:
                                if answer_utts:
                                    self._finalize(qrec, q, "stopped", answer_utts)
                                else:
                                    qrec["status"] = "stopped"
                                raise _Stop
                            if cmd is Command.SKIP:
                                qrec["status"] = "skipped"
                                self._speak("Skipping that one.")
                                return
                            if cmd is Command.PAUSE:
                                paused = True
                                self._speak("Paused. Say resume when you are ready.")
                                self._emit("on_state", "paused")
                                continue
                            if cmd is Command.RESUME:
                                paused = False
                            rate = self.options.slow_rate_wpm if cmd is Command.SLOWER else None
                            self._speak(q.text if cmd is not Command.RESUME else spoken, rate_wpm=rate)
                            self._emit("on_state", "listening")
                            break  # the listener was reset; later events of this chunk are stale
                        if paused:
                            continue
                        if not self.listener.answer_started:
                            self.listener.start_answer(u)
                            qrec["timings"]["answer_started_s"] = self._t()
                        answer_utts.append(u)
                        self._bg.submit(u)
                        self._emit("on_state", "listening")
                        self._emit("on_partial", self._bg.partial_text())
                    elif isinstance(ev, AnswerEnded):
                        qrec["timings"]["last_speech_into_listening_s"] = round(ev.last_speech_s, 3)
                        self._finalize(qrec, q, ev.reason, answer_utts)
                        return
        finally:
            self._persist(qrec)

    def _command(self, u, paused: bool):
        """Decode a short utterance with the command vocabulary primed; only whole utterances count."""
        if u.speech_s > MAX_COMMAND_S:
            return None, ""
        heard = self.transcriber.transcribe(u.clip, prompt=COMMAND_PROMPT).text
        cmd = parse_command(heard)
        self.record["questions"][-1].setdefault("short_utterances", []).append(
            {"heard": heard, "command": cmd.value if cmd else None, "speech_s": round(u.speech_s, 2)})
        if cmd is None:
            return None, heard
        answering = self.listener.answer_started
        allowed = ({Command.RESUME, Command.STOP} if paused else
                   {Command.DONE, Command.STOP} if answering else
                   {Command.REPEAT, Command.SLOWER, Command.SKIP, Command.PAUSE, Command.STOP})
        # Mid-answer, "stop" must be said as a phrase ("end the interview"), not a lone word.
        if answering and cmd is Command.STOP and len(heard.split()) < 2:
            return None, heard
        return (cmd if cmd in allowed else None), heard

    def _record_command(self, qrec: dict, cmd: Command, heard: str) -> None:
        entry = {"command": cmd.value, "heard": heard, "question": qrec["index"], "at_s": self._t()}
        qrec["commands"].append(entry)
        self.record["commands"].append(entry)
        self._emit("on_command", cmd.value, heard)

    def _finalize(self, qrec: dict, q: Question, reason: str, utterances: list) -> None:
        end_detected = time.monotonic()
        self._emit("on_state", "transcribing")
        text, words, pieces = self._bg.finish()
        tail_s = time.monotonic() - end_detected
        qrec["timings"].update({"answer_end_reason": reason, "answer_ended_s": self._t(),
                                "pieces": len(pieces), "tail_transcribe_s": round(tail_s, 3)})
        if not text.strip():
            qrec["status"] = "no_answer"
            self._speak("I didn't catch an answer there. Let's move on.")
            return
        wt = [(w.word, w.start_s, w.end_s) for w in words]
        ev = evaluate(text, q.round, question=q.text, words=wt)
        qrec.update({"status": "answered", "transcript": text,
                     "words": [{"word": w, "start_s": round(s, 3), "end_s": round(e, 3)} for w, s, e in wt],
                     "evaluation": ev.to_dict(), "delivery": ev.delivery.to_dict() if ev.delivery else None})
        self._persist(qrec)  # the answer is safe before any feedback is given
        self._emit("on_evaluation", qrec["index"], qrec)
        audio = np.concatenate([u.clip.samples for u in utterances]) if utterances else None
        if self.options.feedback == "spoken":
            # The short verdict is synthesized and played first, so the candidate hears feedback
            # sooner; the tip follows.
            started = self._speak(ev.verdict)
            qrec["timings"]["end_detected_to_feedback_s"] = round(started - end_detected, 3)
            # Encoding the answer's audio takes a few tenths of a second for a long answer, so it is
            # attached once the verdict has been spoken rather than before it.
            self._persist(qrec, audio)
            if ev.tips and self.options.speak_tips:
                self._speak(f"Tip: {ev.tips[0]}")
        else:
            qrec["timings"]["end_detected_to_feedback_s"] = round(time.monotonic() - end_detected, 3)
            self._persist(qrec, audio)

    def _finish(self) -> None:
        summary = summarize(self.record)
        self.record["summary"] = summary
        self._emit("on_summary", summary)
        self._speak(summary["spoken"] if self.options.speak_tips else summary["spoken_short"])
        self._emit("on_state", "done")


def replace_rate(tts: TextToSpeech, rate_wpm: int) -> TextToSpeech:
    """The same voice at another speaking rate."""
    from .tts import make_tts

    return make_tts(voice=getattr(tts, "voice_id", None), rate_wpm=rate_wpm)


def summarize(record: dict) -> dict:
    """Totals for the end of the interview, with a spoken version."""
    qs = record["questions"]
    answered = [q for q in qs if q["status"] == "answered"]
    suited = [q for q in answered if q["evaluation"]["suits"] in (q["round"], "both")]
    tips = Counter(t for q in answered for t in q["evaluation"]["tips"][:1])
    avg = {r: (round(sum(q["evaluation"]["scores"][r] for q in answered) / len(answered)) if answered else None)
           for r in ("hr", "hiring_manager")}
    flags = Counter(f["id"] for q in answered for f in q["evaluation"]["flags"])
    top_tip = tips.most_common(1)[0][0] if tips else None
    spoken = (f"That's the end of the interview. You answered {len(answered)} of {len(qs)} questions, and "
              f"{len(suited)} suited the round they were asked in.")
    spoken_short = spoken
    if top_tip:
        spoken += f" The most useful thing to work on: {top_tip}"
    return {"questions": len(qs), "answered": len(answered),
            "skipped": sum(q["status"] == "skipped" for q in qs),
            "suited_round": len(suited), "average_scores": avg, "flags": dict(flags),
            "top_tip": top_tip, "spoken": spoken, "spoken_short": spoken_short,
            "verdicts": [{"index": q["index"], "round": q["round"], "status": q["status"],
                          "suits": q["evaluation"]["suits"] if q["evaluation"] else None} for q in qs]}
