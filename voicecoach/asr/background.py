"""Transcribe utterances on a worker thread while the candidate is still speaking.

Every utterance (speech between pauses) is decoded exactly once, in the order it was heard, off the
thread that reads the microphone. A short utterance that might be a voice command is decoded with
the command vocabulary as the prompt; if it turns out not to be a command, the same text is used as
a piece of the answer. A longer piece is primed with the text of the piece before it, as Whisper's
own long-form decoding does, so a piece cut at a pause keeps the context of its sentence.

An utterance can also be decoded ahead, speculatively, as soon as the candidate pauses (``speculate``): when the
pause goes on and the same audio is submitted, the decode already under way (or done) is taken instead of
starting one, so the last piece of an answer is ready about 0.4 s sooner. A speculation the candidate talks over
is dropped if it has not started, and wasted (but never used) if it has.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, replace

from ..memory import decoding, release_free_memory
from . import Transcriber, Word, english_doubt

__all__ = ["BackgroundTranscriber", "Piece"]


@dataclass(frozen=True)
class Piece:
    """One decoded utterance, word times relative to the start of listening."""

    index: int
    text: str
    words: tuple[Word, ...]
    decode_s: float
    """Seconds the decoding took."""
    utterance: object
    """The ``voicecoach.audio.listen.Utterance`` it came from."""
    command_candidate: bool
    """Decoded with the command vocabulary (short enough to be a command)."""
    done_at: float = 0.0
    """``time.monotonic()`` when its decoding finished."""
    doubt: str | None = None
    """A note when the piece does not look like English (``asr.english_doubt``)."""
    ahead: bool = False
    """Decoded ahead, from the moment the candidate paused (``BackgroundTranscriber.speculate``)."""
    ending: float | None = None
    """How sure Whisper was of the full stop closing the piece (``Transcript.ending``)."""


class _Speculation:
    """An utterance decoded ahead of its submission."""

    def __init__(self, utterance, command_candidate: bool) -> None:
        self.key = (utterance.start_s, utterance.end_s, command_candidate)
        self.index: int | None = None
        """Its place among the submitted pieces, once submitted."""
        self.piece: Piece | None = None
        self.error: BaseException | None = None
        self.finished = False


class BackgroundTranscriber:
    """A worker thread that decodes utterances in the order they were submitted."""

    def __init__(self, transcriber: Transcriber, command_prompt: str | None = None,
                 vocabulary: tuple[str, ...] = ()) -> None:
        self._tr = transcriber
        self.command_prompt = command_prompt
        self.glossary = (", ".join(vocabulary) + ".") if vocabulary else ""
        """Terms the answer pieces are biased towards (the job advert's), put first in their prompt."""
        self._q: queue.Queue = queue.Queue()
        self._done: dict[int, Piece] = {}
        self._errors: list[BaseException] = []
        self._cond = threading.Condition()
        self._next = 0          # index of the next submission
        self._delivered = 0     # pieces handed out by ready()/wait()
        self._generation = 0
        self._last_answer_text: str | None = None
        self._speculation: _Speculation | None = None
        self.speculated = 0
        """Speculations decoded, and of those ``speculation_used`` taken as a piece (for the benchmarks)."""
        self.speculation_used = 0
        self._thread = threading.Thread(target=self._work, name="voicecoach-asr", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._q.get()
            if job is None:
                return
            generation, index, utt, candidate, spec = job
            try:
                with self._cond:
                    # A speculation overtaken by a newer pause is dropped, unless its utterance was submitted: then
                    # it is that submission's piece, and the turn waits for it.
                    stale = generation != self._generation or (spec is not None and spec is not self._speculation
                                                               and spec.index is None)
                    prompt = self.command_prompt if candidate else self._answer_prompt()
                if stale:
                    continue
                t = time.perf_counter()
                with decoding():
                    result = self._tr.transcribe(utt.clip, prompt=prompt)
                words = tuple(Word(w.word, w.start_s + utt.start_s, w.end_s + utt.start_s) for w in result.words)
                piece = Piece(-1 if index is None else index, result.text, words, time.perf_counter() - t, utt,
                              candidate, time.monotonic(), None if candidate else english_doubt(result),
                              ending=result.ending)
                with self._cond:
                    if generation == self._generation:
                        if spec is None:
                            self._keep(piece)
                        else:
                            self.speculated += 1
                            spec.piece, spec.finished = piece, True
                            if spec.index is not None:
                                self._adopt(spec)
                    self._cond.notify_all()
            except BaseException as exc:  # reported by ready()/wait(); the thread must not die silently
                with self._cond:
                    if spec is None:
                        self._errors.append(exc)
                    else:  # reported only if its utterance is submitted
                        spec.error, spec.finished = exc, True
                        if spec.index is not None:
                            self._adopt(spec)
                    self._cond.notify_all()
            if self._q.empty():
                release_free_memory()  # the decode's scratch, while nothing waits (voicecoach.memory)

    def _keep(self, piece: Piece) -> None:
        self._done[piece.index] = piece
        if not piece.command_candidate and piece.text:
            self._last_answer_text = piece.text

    def _adopt(self, spec: _Speculation) -> None:
        """A speculation both decoded and submitted: it is that submission's piece."""
        if self._speculation is spec:  # a newer pause's speculation stands
            self._speculation = None
        if spec.error is not None:
            self._errors.append(spec.error)
            self._done[spec.index] = None  # the error stands in its place
            return
        self.speculation_used += 1
        self._keep(replace(spec.piece, index=spec.index, done_at=max(spec.piece.done_at, time.monotonic()), ahead=True))

    def _answer_prompt(self) -> str | None:
        # Like Whisper's own long-form decoding, the previous piece primes the next; the job's terms go
        # first so that the decoder knows their spelling.
        prompt = " ".join(p for p in (self.glossary, self._last_answer_text or "") if p)
        return prompt or None

    def speculate(self, utterance, command_candidate: bool = False) -> None:
        """Decode ``utterance`` ahead: the candidate paused and it may be about to be submitted as it is. Only the
        newest speculation counts; an older one not yet started is dropped."""
        with self._cond:
            self._speculation = spec = _Speculation(utterance, command_candidate)
            self._q.put((self._generation, None, utterance, command_candidate, spec))

    def submit(self, utterance, command_candidate: bool = False) -> int:
        """Queue an utterance (``voicecoach.audio.listen.Utterance``); returns its index. When it is the
        utterance being decoded ahead (the same audio), that decode is its piece."""
        with self._cond:
            index = self._next
            self._next += 1
            spec = self._speculation
            if spec is not None and spec.key == (utterance.start_s, utterance.end_s, command_candidate):
                spec.index = index
                if spec.finished:
                    self._adopt(spec)
                    self._cond.notify_all()
            else:
                self._speculation = None
                self._q.put((self._generation, index, utterance, command_candidate, None))
        return index

    @property
    def pending(self) -> int:
        """Submitted pieces not yet handed out."""
        with self._cond:
            return self._next - self._delivered

    def _take(self) -> list[Piece]:
        if self._errors:
            raise self._errors.pop(0)
        out = []
        while self._delivered in self._done:
            piece = self._done.pop(self._delivered)
            self._delivered += 1
            if piece is not None:
                out.append(piece)
        return out

    def ready(self) -> list[Piece]:
        """Pieces decoded since the last call, in the order they were submitted (never skipping one)."""
        with self._cond:
            return self._take()

    def wait(self, timeout_s: float | None = None) -> list[Piece]:
        """Wait until every submitted piece is decoded (or ``timeout_s`` passed); returns them in order."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._cond:
            out = self._take()
            while self._delivered < self._next:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(left)
                out += self._take()
            return out

    def new_turn(self) -> None:
        """Forget everything submitted so far (the interviewer spoke; what was queued is stale)."""
        with self._cond:
            self._generation += 1
            self._done.clear()
            self._delivered = self._next
            self._last_answer_text = None
            self._speculation = None

    def close(self) -> None:
        """Stop the worker."""
        self._q.put(None)
        self._thread.join(timeout=5)
