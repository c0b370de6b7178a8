"""The interview loop: ask each question, listen, probe a gap, evaluate, give feedback, summarise.

The loop talks only to interfaces (``TextToSpeech``, ``Player``, ``Microphone``, ``Transcriber``)
and to observers. What counts as a command and when a turn is over is the turn policy's business
(``policy.py``, driven from ``turn.py``); saving is the recorder's (``recorder.py``); what is said
after an answer is ``feedback.py``'s; the lines themselves are data (``prompts/interviewer.toml``).
"""

from __future__ import annotations

import time

from .. import LAUNCHED_AT
from ..asr.background import BackgroundTranscriber
from ..audio.listen import Listener
from ..errors import AudioDeviceFailed
from ..history.records import Answer, SessionRecord
from ..interrupts import shielded
from ..questions.bank import Question
from .commands import CommandSet, default_commands
from .events import Event, Info, Observer, PromptSpoken, QuestionAsked, SessionEnded, StateChanged
from .feedback import Feedback
from .options import Engines, InterviewOptions
from .recorder import Recorder, measure_resources
from .script import InterviewerScript, default_script
from .speech import Speech
from .turn import TurnRunner
from .typed import TypedTurnRunner

__all__ = ["Engines", "InterviewOptions", "Interview"]  # the first two from options.py


class _Stop(Exception):
    """The candidate ended the interview."""


class Interview:
    """One interview over a list of questions; ``prober`` (``probes.Prober``) chooses follow-ups, or None."""

    def __init__(self, questions: list[Question], engines: Engines, recorder: Recorder,
                 options: InterviewOptions = InterviewOptions(), observers: list[Observer] | tuple = (),
                 script: InterviewerScript | None = None, commands: CommandSet | None = None,
                 prober=None) -> None:
        self.questions, self.e, self.recorder, self.options = questions, engines, recorder, options
        self.observers = list(observers)
        self.script = script or default_script()
        self.commands = commands or default_commands()
        self.prober = prober
        self.listener = Listener(engines.vad, options.listen) if engines.vad is not None else None
        self.bg: BackgroundTranscriber | None = None
        self.turns: TurnRunner | TypedTurnRunner | None = None
        self.feedback = Feedback(self)
        self._t0 = time.monotonic()
        self.speech = Speech(engines.tts, engines.player)
        self._last: tuple[Answer, Question, list] | None = None
        """The answer last judged, its question and its turns: what "I wasn't finished" goes back to."""

    # -- what the turn runner and feedback use ------------------------------------------------
    def emit(self, event: Event) -> None:
        """Tell every observer."""
        for o in self.observers:
            o.notify(event)

    def clock(self) -> float:
        """Seconds since the session started."""
        return round(time.monotonic() - self._t0, 3)

    def speak(self, text: str, rate: float = 1.0) -> float:
        """Say ``text`` (played sentence by sentence as it is synthesized); the microphone is ignored
        meanwhile. Returns when the first audio started (``time.monotonic()``)."""
        self.emit(StateChanged("speaking"))
        started = self.speech.say(text, rate)
        if self.e.player.is_real:
            time.sleep(self.options.echo_guard_s)
        if self.e.mic is not None:
            self.e.mic.discard_pending()
        if self.listener is not None:
            self.listener.reset()
        if self.bg is not None:
            self.bg.new_turn()
        return started

    # -- the interview ------------------------------------------------------------------------
    def run(self) -> SessionRecord:
        """Hold the interview; returns the session record.

        Raises:
            KeyboardInterrupt, AudioDeviceFailed, NoAudioDevice: after saving what was answered.
        """
        if self.e.typed is None:
            self.bg = BackgroundTranscriber(self.e.transcriber, self.commands.prompt, self.options.vocabulary)
        chunks = None
        status = "failed"
        over = False  # every question was asked (or the candidate ended it): the summary is all that is left
        try:
            self.recorder.start()
            if self.e.typed is not None:
                self.turns = TypedTurnRunner(self, self.e.typed)
            else:
                chunks = self.e.mic.chunks()
                self.turns = TurnRunner(self, chunks)
            self.speech.prepare(self.feedback.lines_ahead())
            self._intro()
            status = "completed"
            for i, q in enumerate(self.questions):
                try:
                    self._question(i, q)
                except _Stop:
                    status = "stopped"
                    break
            over = True
            self.recorder.mark(status)
            summary = self.recorder.record.summary
            self.emit(SessionEnded(summary))
            self.feedback.summary(summary)
        except KeyboardInterrupt:
            # Stopped while the summary was spoken: the interview itself was over, and says so.
            status = status if over else "interrupted"
            raise
        except AudioDeviceFailed:
            status = status if over else "device_failed"
            raise
        finally:
            with shielded():  # a signal now would leave the session "running": it waits until this is done
                self.recorder.record = self.recorder.record.with_(resources=measure_resources(self.recorder.record))
                self.recorder.finish(status)
                if self.bg is not None:
                    self.bg.close()
                if isinstance(self.turns, TurnRunner):
                    self.turns.close()
                self.speech.close()
                if chunks is not None:
                    chunks.close()
                for close in self.e.on_close:
                    close()
        return self.recorder.record

    def _reopen(self, asked) -> None:
        """The candidate said the answer before was not finished (the interviewer took a pause for its end), in the
        turn ``asked``: hear the rest as part of that answer, then judge the whole of it again, save it over the
        first judgement (with the command, which concerns it) and give the new verdict."""
        if self._last is None or not self._last[0].transcript:
            line = self.script.say("nothing_to_reopen")
            self.emit(Info(f"  {line}"))
            self.speak(line)
            return
        answer, q, turns = self._last
        line = self.script.say("reopening", n=answer.index)
        more = self.turns.run(answer.index - 1, "continued", line, line,
                              lambda: self.emit(PromptSpoken(answer.index - 1, "continued", line)), answer.transcript,
                              question=q.text)
        more.commands[:0] = asked.commands
        if more.text:
            turns.append(more)
            self._last = (self.feedback.conclude(answer, q, turns), q, turns)
        if more.interrupted:
            raise more.interrupted
        if more.stop:
            raise _Stop

    def _intro(self) -> None:
        o, n = self.options, len(self.questions)
        count = f"{n} question" + ("" if n == 1 else "s")
        text = o.intro_text or " ".join([self.script.say("intro", n=n, questions=count)] * (o.intro != "none")
                                        + [self.script.say("intro_help")] * (o.intro == "full"))
        if text:
            self.speak(text)

    def _question(self, i: int, q: Question) -> None:
        answer = Answer(i + 1, q.id, q.round, q.role, q.text, timings={"asked_at_s": self.clock()})
        self.emit(QuestionAsked(i, len(self.questions), q))
        spoken = self.script.say("question", n=i + 1, total=len(self.questions), text=q.text)
        runner = self.turns
        turns = [runner.run(i, "question", spoken, q.text, lambda: self.emit(PromptSpoken(i, "question", q.text)))]
        if turns[0].status == "reopened":  # "I wasn't finished": the rest of the last answer, then this question again
            self._reopen(turns[0])
            return self._question(i, q)
        answer.timings["launch_to_question_s"] = round(turns[0].prompt_started - LAUNCHED_AT, 3)
        used: set[str] = set()
        evaluation = None  # of ``turns`` as they stand, once computed (the verdict reuses it: no second wait)
        while (self.prober is not None and len(turns) <= self.options.follow_ups and turns[-1].status == "answered"
               and not turns[-1].stop):
            evaluation = self.feedback.evaluate(q, turns)
            probe = self.prober.choose(evaluation, q, used)
            if probe is None:
                break
            # Kept before the follow-up is asked: a kill or a closed terminal during it loses nothing said.
            answer = self.feedback.keep(answer, q, turns, evaluation)
            used.add(probe.gap)
            follow = runner.run(i, "follow_up", probe.text, probe.text,
                                lambda p=probe: self.emit(PromptSpoken(i, "follow_up", p.text)))
            follow.probe = probe
            follow.timings["end_detected_to_probe_s"] = round(follow.prompt_started - turns[-1].end_detected, 3)
            turns.append(follow)
            evaluation = None
        self._last = (self.feedback.conclude(answer, q, turns, evaluation), q, turns)
        if any(t.interrupted for t in turns):
            raise next(t.interrupted for t in turns if t.interrupted)
        if any(t.stop for t in turns):
            raise _Stop

