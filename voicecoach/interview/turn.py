"""One turn: the interviewer asks (a question or a follow-up probe), the candidate answers.

This is where audio meets the turn policy: microphone chunks go to the listener, finished
utterances to the background transcriber, decoded pieces to the policy, and the policy's decisions
(obey a command, take a piece into the answer, prompt a silent candidate) are carried out here.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..asr.background import Piece
from ..audio.listen import AnswerEnded, LongSilence, SpeechHeard, SpeechStarted, UtteranceEnded, UtterancePaused
from ..errors import AudioDeviceFailed
from ..history.records import HeardCommand
from .commands import Effect, Phase
from .events import CommandObeyed, Info, Level, Partial, StateChanged
from .policy import TurnPolicy

__all__ = ["Turn", "TurnRunner", "PRESSED"]

JUDGED_PIECES = 8
"""How many of the answer's last pieces the end-of-turn model hears (it listens to the last eight seconds)."""

PRESSED = "(pressed)"
"""What a command given by a button is recorded as having been heard as."""


@dataclass
class Turn:
    """What happened in one turn."""

    kind: str = "question"
    """``question``, ``follow_up`` or ``continued`` (the rest of an answer ended too soon)."""
    status: str = "no_answer"
    """``answered``, ``partial``, ``skipped``, ``no_answer``, ``stopped`` or ``reopened`` (the candidate said the
    answer before was not finished)."""
    pieces: list[Piece] = field(default_factory=list)
    reason: str = ""
    """How the answer ended: ``silence``, ``max_length``, ``done``, ``stopped``, ``interrupted``."""
    commands: list[HeardCommand] = field(default_factory=list)
    short_utterances: list[dict] = field(default_factory=list)
    stop: bool = False
    """The candidate asked to end the interview."""
    interrupted: BaseException | None = None
    """Ctrl-C or a failing device, to re-raise once the partial answer is kept."""
    timings: dict = field(default_factory=dict)
    end_detected: float = 0.0
    """``time.monotonic()`` when the end of the answer was known."""
    prompt_started: float = 0.0
    """``time.monotonic()`` when the interviewer's question or probe started playing."""
    probe: object = None
    """The follow-up probe this turn answers (``voicecoach.interview.probes.Probe``)."""
    judged: list[dict] = field(default_factory=list)
    """Each pause judged: when, how likely the answer was finished, the silence that would end it."""
    said_before: str = ""
    """For a ``continued`` turn, what the answer said before it: the end-of-turn judge hears the whole answer."""
    question: str = ""
    """The question or probe this turn answers (for a ``continued`` one, the question first asked): the end-of-turn
    judge lets a brief one ("Do you drive?") be answered in a sentence."""

    @property
    def text(self) -> str:
        """The answer's transcript."""
        return " ".join(p.text for p in self.pieces if p.text)


class TurnRunner:
    """Runs turns for the interview loop (which owns the engines, the listener and the speaker)."""

    def __init__(self, interview, chunks) -> None:
        self.iv = interview
        self._chunks = chunks
        self._chunk_at: float | None = None
        self._listening_since = 0.0
        self._voice_pool: ThreadPoolExecutor | None = None
        self._voice_ahead: tuple[tuple, Future] | None = None
        """The end-of-turn model's score of the voice, started at the pause before the piece decodes: the audio's
        pieces (start and end times) and the score to come."""
        self._evaluation_pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Stop the threads that hear the voice and embed the answer ahead (work in progress finishes first: tens of
        ms)."""
        for pool in (self._voice_pool, self._evaluation_pool):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._voice_pool = self._evaluation_pool = None

    def next_chunk(self):
        """The next microphone chunk; a stream that ends is a failed device."""
        try:
            chunk = next(self._chunks)
        except StopIteration:
            raise AudioDeviceFailed("the microphone stream ended") from None
        self._chunk_at = self.iv.e.mic.captured_at
        return chunk

    def mic_time_of(self, listening_s: float) -> float | None:
        """``time.monotonic()`` when the audio at ``listening_s`` (listener time) was captured, for a
        microphone that runs in real time."""
        if self._chunk_at is None:
            return None
        return self._chunk_at - (self.iv.listener.elapsed_s - listening_s)

    def _spoke_until(self, piece: Piece) -> float | None:
        """``time.monotonic()`` when the speech in ``piece`` ended (its utterance without the VAD's padding)."""
        return self.mic_time_of(piece.utterance.end_s - self.iv.options.listen.end_pad_s)

    def run(self, index: int, kind: str, spoken: str, repeat_text: str, on_spoken, said_before: str = "",
            question: str | None = None) -> Turn:
        """Say ``spoken``, then listen until the answer is over, skipped, given up or stopped (``said_before``: what
        the answer said before this turn, for a ``continued`` one; ``question``: what it answers, by default
        ``repeat_text``, the question or probe as said again on request)."""
        iv, turn = self.iv, Turn(kind, said_before=said_before, question=repeat_text if question is None else question)
        policy = TurnPolicy(iv.commands, iv.options.max_prompts)
        turn.prompt_started = self._say(spoken)
        on_spoken()
        try:
            while True:
                outcome = self._listen(index, policy, turn, spoken, repeat_text)
                if outcome:
                    return turn
        except (KeyboardInterrupt, AudioDeviceFailed) as exc:
            turn.interrupted = exc
            self._keep_partial(policy, turn)
            return turn

    def _say(self, text: str, rate: float = 1.0) -> float:
        started = self.iv.speak(text, rate)
        self._listening_since = time.monotonic()
        self.iv.emit(StateChanged("listening"))
        return started

    def _listen(self, index: int, policy: TurnPolicy, turn: Turn, spoken: str, repeat_text: str) -> bool:
        """Feed one chunk; True when the turn is over."""
        iv = self.iv
        chunk = self.next_chunk()
        events = iv.listener.feed(chunk)
        iv.emit(Level(iv.listener.level, iv.listener.elapsed_s))
        for ev in events:
            if isinstance(ev, SpeechStarted):
                iv.emit(StateChanged("hearing"))
            elif isinstance(ev, LongSilence) and iv.bg.pending == 0:  # not while an utterance is decoding
                decision = policy.silence()
                if decision.kind == "give_up":
                    iv.speak(iv.script.say("move_on"))
                    return True
                if decision.kind == "prompt":
                    self._say(iv.script.say("silence_prompt"))
                    return False
            elif isinstance(ev, SpeechHeard) and policy.wants(ev.utterance.speech_s) and iv.e.mic.realtime:
                self._hear_voice(turn, ev.utterance)
            elif isinstance(ev, UtterancePaused) and policy.wants(ev.utterance.speech_s) and iv.e.mic.realtime:
                iv.bg.speculate(ev.utterance, policy.may_be_command(ev.utterance.speech_s))
            elif isinstance(ev, UtteranceEnded) and policy.wants(ev.utterance.speech_s):
                short = policy.may_be_command(ev.utterance.speech_s)
                if not short and not iv.listener.answer_started and iv.bg.pending == 0:
                    self._start_answer(turn, ev.utterance)
                iv.bg.submit(ev.utterance, short)
            elif isinstance(ev, AnswerEnded):
                return self._ended(index, policy, turn, ev)
        # A microphone faster than real time (the demo's) must not outrun the decoder.
        for piece in (iv.bg.ready() if iv.e.mic.realtime else iv.bg.wait()):
            over = self._piece(index, policy, turn, piece, spoken, repeat_text)
            if over is not None:
                return over
            # The piece was judged finished after the silence it needs had already passed (its transcript came
            # late): the answer is over now, not at the next chunk.
            ended = iv.listener.silence_reached()
            if ended is not None:
                return self._ended(index, policy, turn, ended)
        for name, at in (iv.e.pressed.take() if iv.e.pressed is not None else ()):
            over = self._pressed(index, policy, turn, name, at, spoken, repeat_text)
            if over is not None:
                return over
        return False

    def _ended(self, index: int, policy: TurnPolicy, turn: Turn, ev: AnswerEnded) -> bool:
        turn.end_detected = time.monotonic()
        turn.timings["last_speech_into_listening_s"] = round(ev.last_speech_s, 3)
        turn.timings["last_speech_at"] = self.mic_time_of(ev.last_speech_s)
        return self._finish(index, policy, turn, ev.reason, wait=True)

    def _judge_pause(self, turn: Turn) -> None:
        """Is the answer finished? At a pause, from the answer's audio and words so far: the silence that
        ends it is set accordingly (``audio/endpoint.py``). Not with a fixed ``--end-silence``."""
        iv, endpoint = self.iv, self.iv.e.endpoint
        if endpoint is None or iv.listener.in_speech or iv.options.listen.end_silence_s is not None:
            return
        t = time.perf_counter()
        heard = [p.utterance for p in turn.pieces[-JUDGED_PIECES:] if p.utterance is not None]
        voice = None
        if self._voice_ahead is not None and self._voice_ahead[0] == self._voice_key(heard):
            voice = self._voice_ahead[1].result()  # heard while the piece decoded (done by now)
        elif heard:
            voice = endpoint.voice(self._voice_audio(heard))
        ending = turn.pieces[-1].ending if turn.pieces else None
        likelihood = endpoint.likelihood(None, f"{turn.said_before} {turn.text}".strip(), voice, ending, turn.question)
        silence = endpoint.rules.silence_for(likelihood)
        iv.listener.require_silence(silence)
        turn.judged.append({"at_s": round(iv.listener.elapsed_s, 2), "likelihood": round(likelihood, 3),
                            "voice": None if voice is None else round(voice, 3),
                            "ending": None if ending is None else round(ending, 3), "silence_s": silence,
                            "brief_question": endpoint.rules.is_brief(turn.question),
                            "judge_ms": round((time.perf_counter() - t) * 1000, 1)})

    def _voice_audio(self, utterances: list) -> np.ndarray:
        """The pieces as the voice model is given them: each with the VAD's padding of silence either side (a piece
        keeps less after its speech for decoding; silence stands in for the rest), and the last one followed by the
        silence the voice hears at a pause (``voice_silence_s`` in turns.toml: no answer ends sooner)."""
        listen = self.iv.options.listen
        rate = utterances[0].clip.sample_rate_hz

        def silence(s: float) -> np.ndarray:  # made up to ``s`` after the speech
            return np.zeros(max(0, round((s - listen.end_pad_s) * rate)), np.float32)

        gap, tail = silence(listen.vad.pad_s), silence(self.iv.e.endpoint.rules.voice_silence_s)
        return np.concatenate([a for u in utterances[:-1] for a in (u.clip.samples, gap)]
                              + [utterances[-1].clip.samples, tail])

    @staticmethod
    def _voice_key(utterances: list) -> tuple:
        return tuple((round(u.start_s, 3), round(u.end_s, 3)) for u in utterances)

    def _hear_voice(self, turn: Turn, utterance) -> None:
        """At the first moment of a pause, start scoring the voice that the judgement will need once the piece is
        decoded (the same audio, with silence for the padding not yet heard), on a thread of its own: the CPU is
        free until the piece is offered for decoding, and the judgement then does not wait for the model."""
        iv, endpoint = self.iv, self.iv.e.endpoint
        if endpoint is None or not endpoint.has_voice_model or iv.options.listen.end_silence_s is not None:
            return
        heard = [p.utterance for p in turn.pieces[-(JUDGED_PIECES - 1):] if p.utterance is not None] + [utterance]
        if self._voice_pool is None:
            self._voice_pool = ThreadPoolExecutor(1, thread_name_prefix="voicecoach-voice")
        audio = self._voice_audio(heard)
        self._voice_ahead = (self._voice_key(heard), self._voice_pool.submit(endpoint.voice, audio))

    def _prepare_evaluation(self, turn: Turn, question: str) -> None:
        """Embed the answer's sentences so far on a thread of its own, while the candidate goes on: the evaluation
        that picks the follow-up or the verdict then embeds only the last piece's (``rules.evaluate.prepare``)."""
        if not self.iv.e.mic.realtime:
            return
        from ..rules.evaluate import prepare

        if self._evaluation_pool is None:
            self._evaluation_pool = ThreadPoolExecutor(1, thread_name_prefix="voicecoach-prepare-evaluation")
        self._evaluation_pool.submit(prepare, turn.text, question if turn.kind == "question" else None)

    def _resumed(self, turn: Turn) -> bool:
        """Speech that came in while the end of the answer was being settled (the last piece decoding): the
        candidate went on, so it is the same answer and the interviewer does not talk over them."""
        iv = self.iv
        if not iv.e.mic.realtime or turn.reason != "silence":
            return False
        iv.listener.reopen()
        # Until caught up with the live audio. When the transcript was ready in time, the last chunk heard is
        # already live: nothing can have been said since, and waiting for the next chunk would only delay the verdict.
        while self._chunk_at is not None and self._chunk_at < time.monotonic() - 0.05:
            events = iv.listener.feed(self.next_chunk())
            if any(isinstance(e, SpeechStarted) for e in events):
                return True
        iv.listener.close()
        return False

    def _pressed(self, index, policy: TurnPolicy, turn: Turn, name: str, at: float, spoken: str, repeat_text: str):
        """Act on a command pressed (a front end's button); True/False when it ended the turn, None to carry on.

        A press made while the interviewer was speaking counts only to end the interview or to say the answer
        before was not finished (the verdict on it is what was being said); the others were meant for what was
        being said then.
        """
        iv = self.iv
        cmd = iv.commands.named(name)
        if cmd is None or (at < self._listening_since and cmd.effect not in (Effect.STOP, Effect.REOPEN)):
            return None
        heard_speech = iv.listener.in_speech or iv.bg.pending > 0 or iv.listener.answer_started
        if policy.pressed(cmd, heard_speech).kind != "command":
            iv.emit(Info(iv.script.say("pressed_not_now", command=cmd.name)))
            return None
        if cmd.effect is Effect.DONE:
            # The speech not yet closed into an utterance is part of the answer: close it and decode it.
            for ev in iv.listener.flush():
                if isinstance(ev, UtteranceEnded):
                    iv.bg.submit(ev.utterance, False)
            turn.commands.append(HeardCommand(cmd.name, PRESSED, index + 1, iv.clock()))
            iv.emit(CommandObeyed(cmd.name, PRESSED))
            turn.end_detected = time.monotonic()
            return self._finish(index, policy, turn, "done", wait=True)
        return self._obey(index, policy, turn, cmd, PRESSED, spoken, repeat_text)

    def _start_answer(self, turn: Turn, utterance) -> None:
        self.iv.listener.start_answer(utterance)
        turn.timings.setdefault("answer_started_s", self.iv.clock())

    def _piece(self, index, policy: TurnPolicy, turn: Turn, piece: Piece, spoken: str, repeat_text: str):
        """Act on one decoded utterance; True/False when it ended the turn, None to carry on."""
        iv = self.iv
        decision = policy.heard(piece.text, piece.command_candidate)
        if piece.command_candidate:
            turn.short_utterances.append({"heard": piece.text, "speech_s": round(piece.utterance.speech_s, 2),
                                          "command": decision.command.name if decision.command else None})
        turn.timings["decode_s"] = round(turn.timings.get("decode_s", 0.0) + piece.decode_s, 3)
        if decision.kind == "answer":
            turn.pieces.append(piece)
            if not iv.listener.answer_started:
                self._start_answer(turn, piece.utterance)
            iv.emit(Partial(turn.text))
            self._judge_pause(turn)
            self._prepare_evaluation(turn, repeat_text)
            return None
        if decision.kind != "command":
            return None
        return self._obey(index, policy, turn, decision.command, piece.text, spoken, repeat_text, piece)

    def _obey(self, index, policy: TurnPolicy, turn: Turn, cmd, heard: str, spoken: str, repeat_text: str,
              piece: Piece | None = None):
        """Carry out a command (spoken in ``piece``, or pressed); True/False when it ended the turn, None to
        carry on."""
        iv = self.iv
        turn.commands.append(HeardCommand(cmd.name, heard, index + 1, iv.clock()))
        iv.emit(CommandObeyed(cmd.name, heard))
        effect = cmd.effect
        if effect is Effect.DONE and piece is not None:
            turn.end_detected = piece.done_at
            turn.timings["last_speech_at"] = self._spoke_until(piece)
            return self._finish(index, policy, turn, "done", wait=False)
        if effect is Effect.STOP:
            turn.stop, turn.end_detected = True, time.monotonic()
            return self._finish(index, policy, turn, "stopped", wait=False)
        if effect is Effect.SKIP:
            turn.status = "skipped"
            iv.speak(iv.script.say("skipping_follow_up" if turn.kind == "follow_up" else "skipping"))
            return True
        if effect is Effect.REOPEN:  # the loop goes back to the answer before, then asks this question again
            turn.status = "reopened"
            return True
        if effect is Effect.PAUSE:
            iv.speak(iv.script.say("paused"))
            iv.emit(StateChanged("paused"))
            return False
        if effect is Effect.HELP:
            self._say(iv.script.say("intro_help") + " " + repeat_text)
            return False
        self._say(spoken if effect is Effect.RESUME else repeat_text, cmd.rate)
        return False

    def _finish(self, index, policy: TurnPolicy, turn: Turn, reason: str, wait: bool) -> bool:
        """The answer is over: take the pieces still decoding, then close the turn."""
        end_silence = self.iv.listener.required_silence_s  # before _resumed reopens the listener (it resets it)
        if wait:
            self.iv.emit(StateChanged("transcribing"))
            t = time.monotonic()
            for piece in self.iv.bg.wait():
                turn.timings["decode_s"] = round(turn.timings.get("decode_s", 0.0) + piece.decode_s, 3)
                if policy.heard(piece.text, piece.command_candidate).kind == "answer":
                    turn.pieces.append(piece)
            turn.timings["tail_transcribe_s"] = round(time.monotonic() - t, 3)
            turn.reason = reason
            if reason == "silence" and self._resumed(turn):
                turn.timings["resumed"] = turn.timings.get("resumed", 0) + 1
                self.iv.emit(StateChanged("hearing"))
                return False
        turn.timings["end_silence_s"] = end_silence
        self._last_piece_timings(turn)
        turn.timings["pauses_judged"] = list(turn.judged)
        turn.reason = reason
        turn.status = "answered" if turn.pieces else ("stopped" if turn.stop else "no_answer")
        turn.timings.update({"answer_end_reason": reason, "answer_ended_s": self.iv.clock()})
        return True

    def _last_piece_timings(self, turn: Turn) -> None:
        """How soon the answer's last words were known: the decode, and the time from the end of the speech to
        the transcript (the floor under the response once the answer is over)."""
        last = next((p for p in reversed(turn.pieces) if p.utterance is not None), None)
        turn.timings["pieces_decoded_ahead"] = sum(p.ahead for p in turn.pieces)
        if last is None:
            return
        turn.timings["last_piece_decode_s"] = round(last.decode_s, 3)
        spoke = self._spoke_until(last)
        if spoke is not None and last.done_at:
            turn.timings["speech_end_to_transcript_s"] = round(last.done_at - spoke, 3)

    def _keep_partial(self, policy: TurnPolicy, turn: Turn) -> None:
        """Ctrl-C or a dead device mid-answer: transcribe the speech already given and keep it."""
        iv = self.iv
        if policy.phase is Phase.PAUSED:
            return
        for ev in iv.listener.flush():
            if isinstance(ev, UtteranceEnded):
                iv.bg.submit(ev.utterance, policy.may_be_command(ev.utterance.speech_s))
        try:
            pieces = iv.bg.wait(timeout_s=30.0)
        except Exception:  # noqa: BLE001 - the interruption is what gets reported
            pieces = []
        for piece in pieces:
            if policy.heard(piece.text, piece.command_candidate).kind == "answer":
                turn.pieces.append(piece)
        turn.reason = "interrupted"
        turn.status = "partial" if turn.pieces else turn.status
